/* The device filter, run: bpf_interp.c executes the program that
 * ebpf_devices_build() makes on (type, major, minor, access) requests, and
 * every answer is checked against the rules (the v2 integration tests load
 * the program into the kernel for real). */
#include "unit.h"
#include "bpf_interp.h"
#include "cgroup/ebpf_devices.h"

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdlib.h>

enum
{
  MAX_RULES = 16,
  MAX_PROBES = 12,
  MAX_INSNS = 512,
  ACC_ALL = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE,
};

/* Rules as text, in the words of devices.allow: "allow c 1:3 rw".  "*"
 * leaves major or minor unset, "-1" sets it to -1 (both mean any); "-"
 * as the type or the access leaves it NULL (all). */
struct rules
{
  struct spec_device_rule r[MAX_RULES];
  char type[MAX_RULES][2];
  char access[MAX_RULES][4];
  size_t n;
};

static opt_i64
parse_number (const char *s)
{
  if (strcmp (s, "*") == 0)
    return (opt_i64){ false, 0 };
  return (opt_i64){ true, strtoll (s, NULL, 10) };
}

static bool
parse_rule (const char *text, struct rules *out)
{
  char verb[8], type[2], major[16], minor[16], access[4];
  size_t i = out->n;
  if (i == MAX_RULES || sscanf (text, "%7s %1s %15[^:]:%15s %3s", verb, type, major, minor, access) != 5)
    return false;
  struct spec_device_rule *r = &out->r[i];
  memset (r, 0, sizeof *r);
  r->allow = strcmp (verb, "allow") == 0;
  if (strcmp (type, "-") != 0)
    r->type = strcpy (out->type[i], type);
  r->major = parse_number (major);
  r->minor = parse_number (minor);
  if (strcmp (access, "-") != 0)
    r->access = strcpy (out->access[i], access);
  out->n++;
  return true;
}

static int
access_bits (const char *access)
{
  int bits = 0;
  for (const char *p = access; *p; p++)
    bits |= *p == 'r' ? BPF_DEVCG_ACC_READ : *p == 'w' ? BPF_DEVCG_ACC_WRITE : *p == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  return bits;
}

static struct bpf_dev_request
request (char type, uint32_t major, uint32_t minor, int access)
{
  int devtype = type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
  return (struct bpf_dev_request){ (uint32_t) access << 16 | (uint32_t) devtype, major, minor };
}

/* A request as text: "c 1:3 rw". */
static bool
parse_request (const char *text, struct bpf_dev_request *req)
{
  char type, access[4];
  unsigned major, minor;
  if (sscanf (text, "%c %u:%u %3s", &type, &major, &minor, access) != 4 || access_bits (access) == 0)
    return false;
  *req = request (type, major, minor, access_bits (access));
  return true;
}

/* The verdict of prog on req, or -1 (after saying why) when the
 * interpreter refuses the program. */
static int
run (const struct ebpf_insn *prog, int n, const struct bpf_dev_request *req)
{
  char why[256] = "";
  int v = n > 0 ? bpf_interp_run (prog, (size_t) n, req, why, sizeof why) : -1;
  if (v < 0)
    fprintf (stderr, "  program refused: %s\n", n > 0 ? why : "ebpf_devices_build failed");
  return v;
}

enum verdict
{
  DENY,
  ALLOW
};

struct probe
{
  const char *request;
  enum verdict expect;
};

struct device_case
{
  const char *name;
  const char *rules[MAX_RULES];
  struct probe probes[MAX_PROBES];
};

static const struct device_case cases[] = {
  { "no rules: deny", { NULL },
    { { "c 1:3 r", DENY }, { "c 1:3 rwm", DENY }, { "b 8:0 m", DENY }, { "c 0:0 w", DENY } } },
  { "allow all", { "allow a *:* rwm" },
    { { "c 1:3 rwm", ALLOW }, { "b 8:0 r", ALLOW }, { "c 4095:1048575 w", ALLOW }, { "b 0:0 m", ALLOW } } },
  { "type and access unset: all", { "allow - *:* -" },
    { { "c 1:3 rwm", ALLOW }, { "b 259:0 rw", ALLOW }, { "c 0:0 m", ALLOW } } },
  { "type c", { "allow c *:* rwm" },
    { { "c 1:3 rw", ALLOW }, { "c 136:0 m", ALLOW }, { "b 1:3 r", DENY }, { "b 8:0 rwm", DENY } } },
  { "type b", { "allow b 8:* r" },
    { { "b 8:0 r", ALLOW }, { "b 8:16 r", ALLOW }, { "c 8:0 r", DENY }, { "b 8:0 w", DENY }, { "b 9:0 r", DENY } } },
  { "type a with numbers", { "allow a 1:3 rw" },
    { { "c 1:3 rw", ALLOW }, { "b 1:3 r", ALLOW }, { "c 1:4 r", DENY }, { "c 2:3 r", DENY }, { "c 1:3 m", DENY } } },
  { "minor absent", { "allow c 1:* rwm" },
    { { "c 1:0 r", ALLOW }, { "c 1:255 w", ALLOW }, { "c 2:1 r", DENY }, { "b 1:1 r", DENY } } },
  { "major absent", { "allow c *:3 rwm" },
    { { "c 1:3 r", ALLOW }, { "c 99:3 w", ALLOW }, { "c 1:4 r", DENY } } },
  { "major -1", { "allow c -1:3 rw" },
    { { "c 1:3 r", ALLOW }, { "c 7:3 rw", ALLOW }, { "c 7:4 r", DENY }, { "b 7:3 r", DENY } } },
  { "major and minor -1", { "allow b -1:-1 m" },
    { { "b 8:0 m", ALLOW }, { "b 259:7 m", ALLOW }, { "b 8:0 r", DENY }, { "c 1:3 m", DENY } } },
  { "access r", { "allow c 1:3 r" },
    { { "c 1:3 r", ALLOW }, { "c 1:3 w", DENY }, { "c 1:3 m", DENY }, { "c 1:3 rw", DENY }, { "c 1:3 rm", DENY },
      { "c 1:3 rwm", DENY } } },
  { "access rw", { "allow c 1:3 rw" },
    { { "c 1:3 r", ALLOW }, { "c 1:3 w", ALLOW }, { "c 1:3 rw", ALLOW }, { "c 1:3 m", DENY }, { "c 1:3 wm", DENY },
      { "c 1:3 rwm", DENY } } },
  { "access rwm", { "allow c 1:3 rwm" },
    { { "c 1:3 r", ALLOW }, { "c 1:3 w", ALLOW }, { "c 1:3 m", ALLOW }, { "c 1:3 rw", ALLOW }, { "c 1:3 wm", ALLOW },
      { "c 1:3 rwm", ALLOW }, { "c 1:4 r", DENY } } },
  { "access m", { "allow c 1:3 m" },
    { { "c 1:3 m", ALLOW }, { "c 1:3 r", DENY }, { "c 1:3 w", DENY }, { "c 1:3 rm", DENY } } },
  { "allow, then deny", { "allow c 1:3 rwm", "deny c 1:3 rwm" },
    { { "c 1:3 r", DENY }, { "c 1:3 m", DENY }, { "c 1:3 rwm", DENY } } },
  { "deny, then allow", { "deny c 1:3 rwm", "allow c 1:3 rwm" },
    { { "c 1:3 r", ALLOW }, { "c 1:3 rwm", ALLOW }, { "c 1:5 r", DENY } } },
  { "deny all, then allow one", { "deny a *:* rwm", "deny c 1:5 rwm", "allow c 1:5 r" },
    { { "c 1:5 r", ALLOW }, { "c 1:5 w", DENY }, { "c 1:5 rw", DENY }, { "c 1:3 r", DENY } } },
  { "allow all, then deny one", { "allow a *:* rwm", "deny c 1:7 rwm" },
    { { "c 1:7 w", DENY }, { "c 1:7 r", DENY }, { "c 1:3 w", ALLOW }, { "b 1:7 r", ALLOW } } },
  { "a wildcard deny after exact allows", { "allow c 1:3 rwm", "allow c 1:5 rwm", "deny c 1:* rwm" },
    { { "c 1:3 r", DENY }, { "c 1:5 w", DENY }, { "c 2:3 r", DENY } } },
  { "an exact allow after a wildcard deny", { "allow c *:* rwm", "deny c 1:* rwm", "allow c 1:3 rw" },
    { { "c 1:3 rw", ALLOW }, { "c 1:3 m", DENY }, { "c 1:5 r", DENY }, { "c 2:0 rwm", ALLOW } } },
  { "the first rule denies all: it ends the program", { "deny - *:* rwm", "allow c 1:3 rw" },
    { { "c 1:3 rw", ALLOW }, { "c 1:3 m", DENY }, { "c 1:7 r", DENY } } },
  { "the last rule allows all: nothing before it counts", { "deny c 1:3 rwm", "allow a *:* rwm" },
    { { "c 1:3 rw", ALLOW }, { "b 8:0 m", ALLOW } } },
  /* A deny rule decides every request it shares an access with, as the
   * kernel's v1 devices cgroup does (match_exception_partial()): open
   * O_RDWR asks for rw in one request, and it must not get past
   * "deny w". */
  { "deny with partial access", { "allow c 1:3 rwm", "deny c 1:3 w" },
    { { "c 1:3 r", ALLOW }, { "c 1:3 w", DENY }, { "c 1:3 rw", DENY }, { "c 1:3 m", ALLOW }, { "c 1:3 rm", ALLOW },
      { "c 1:3 wm", DENY }, { "c 1:3 rwm", DENY }, { "c 1:5 r", DENY } } },
  { "partial deny after allow all", { "allow a *:* rwm", "deny c 1:3 w" },
    { { "c 1:3 r", ALLOW }, { "c 1:3 w", DENY }, { "c 1:3 rw", DENY }, { "c 1:5 rw", ALLOW }, { "b 1:3 rw", ALLOW } } },
  { "partial wildcard deny", { "allow c 1:* rwm", "deny c *:* m" },
    { { "c 1:3 rw", ALLOW }, { "c 1:3 m", DENY }, { "c 1:3 rm", DENY }, { "c 1:9 rwm", DENY } } },
  { "partial deny of several accesses", { "allow b 8:0 rwm", "deny b 8:0 rw" },
    { { "b 8:0 m", ALLOW }, { "b 8:0 r", DENY }, { "b 8:0 wm", DENY }, { "b 8:0 rm", DENY } } },
  /* An allow rule decides only a request it covers whole (the kernel's
   * match_exception()).  Stricter than runc, which merges rules for the
   * same device: a combined request needs one allow rule naming all of
   * it after any deny that names part of it. */
  { "a partial allow after a partial deny", { "allow c 1:3 rwm", "deny c 1:3 w", "allow c 1:3 w" },
    { { "c 1:3 r", ALLOW }, { "c 1:3 w", ALLOW }, { "c 1:3 rw", DENY }, { "c 1:3 wm", DENY } } },
  { "two partial allows", { "allow c 1:3 r", "allow c 1:3 w" },
    { { "c 1:3 r", ALLOW }, { "c 1:3 w", ALLOW }, { "c 1:3 rw", DENY } } },
  { "a partial allow after a deny", { "allow c 1:3 rwm", "deny c 1:3 rwm", "allow c 1:3 r" },
    { { "c 1:3 r", ALLOW }, { "c 1:3 rw", DENY }, { "c 1:3 w", DENY }, { "c 1:3 m", DENY } } },
  /* What tinyrun loads for a typical engine config: deny all, the
   * engine's rules, then tinyrun's defaults (mknod of anything, the
   * standard devices). */
  { "an engine's config with tinyrun's defaults",
    { "deny a *:* rwm", "allow c 10:200 rwm", "deny c 1:7 rwm", "allow c *:* m", "allow b *:* m", "allow c 1:3 rwm",
      "allow c 1:5 rwm", "allow c 1:8 rwm", "allow c 1:9 rwm", "allow c 5:0 rwm", "allow c 5:1 rwm",
      "allow c 5:2 rwm", "allow c 136:* rwm" },
    { { "c 1:3 rw", ALLOW }, { "c 136:4 rw", ALLOW }, { "c 10:200 rwm", ALLOW }, { "c 1:7 w", DENY },
      { "b 8:0 m", ALLOW }, { "b 8:0 r", DENY }, { "c 4:0 rw", DENY }, { "c 4:0 m", ALLOW }, { "c 5:1 rw", ALLOW } } },
};

static bool
probe_ok (const struct device_case *c, const struct ebpf_insn *prog, int n, const struct probe *p)
{
  struct bpf_dev_request req;
  if (!parse_request (p->request, &req))
    {
      fprintf (stderr, "  %s: bad request \"%s\"\n", c->name, p->request);
      return false;
    }
  int v = run (prog, n, &req);
  if (v != (int) p->expect)
    {
      fprintf (stderr, "  %s: %s is %s, expected %s\n", c->name, p->request,
               v < 0 ? "refused" : v ? "allowed" : "denied", p->expect ? "allowed" : "denied");
      return false;
    }
  /* The kernel asks once with the combined access: allowing it while
   * denying one of its parts would be a hole. */
  int bits = (int) (req.access_type >> 16);
  for (int bit = 1; v == ALLOW && bit <= bits; bit <<= 1)
    {
      struct bpf_dev_request one = req;
      one.access_type = (uint32_t) bit << 16 | (req.access_type & 0xffff);
      if ((bits & bit) && run (prog, n, &one) != ALLOW)
        {
          fprintf (stderr, "  %s: %s allowed, but not its part %d\n", c->name, p->request, bit);
          return false;
        }
    }
  return true;
}

static bool
case_ok (const struct device_case *c)
{
  struct rules rules = { .n = 0 };
  for (size_t i = 0; i < MAX_RULES && c->rules[i]; i++)
    if (!parse_rule (c->rules[i], &rules))
      {
        fprintf (stderr, "  %s: bad rule \"%s\"\n", c->name, c->rules[i]);
        return false;
      }
  struct ebpf_insn prog[MAX_INSNS];
  int n = ebpf_devices_build (rules.r, rules.n, prog, MAX_INSNS);
  bool ok = true;
  for (size_t i = 0; i < MAX_PROBES && c->probes[i].request; i++)
    ok &= probe_ok (c, prog, n, &c->probes[i]);
  return ok;
}

TEST (ebpf_rules_decide_as_the_kernel_would)
{
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK (case_ok (&cases[i]));
}

TEST (ebpf_deny_all_first_rule_ends_program)
{
  struct spec_device_rule rules[] = {
    { .allow = false, .access = "rwm" },
    { .allow = true, .type = "c", .major = { true, 1 }, .minor = { true, 3 }, .access = "rw" },
  };
  struct ebpf_insn prog[64];
  int n = ebpf_devices_build (rules, 2, prog, 64);
  /* prologue 7, rule 2 (type, access x3, major, minor, mov, exit = 8),
   * rule 1 unconditional (mov, exit) and nothing after it. */
  CHECK (n == 7 + 8 + 2);
  CHECK (prog[n - 1].code == (BPF_JMP | BPF_EXIT));
  CHECK (prog[n - 2].imm == 0); /* deny */
  /* The last rule is tested first and allows. */
  CHECK (prog[7].code == (BPF_JMP | BPF_JNE | BPF_K) && prog[7].imm == BPF_DEVCG_DEV_CHAR);
  CHECK (prog[7].off == 7); /* skips the rest of its block */
  CHECK (prog[7 + 6].imm == 1);
  /* And it runs: the interpreter refuses unreachable instructions. */
  struct bpf_dev_request null_rw = request ('c', 1, 3, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE);
  struct bpf_dev_request null_m = request ('c', 1, 3, BPF_DEVCG_ACC_MKNOD);
  CHECK (run (prog, n, &null_rw) == ALLOW);
  CHECK (run (prog, n, &null_m) == DENY);
}

TEST (ebpf_default_deny_and_overflow)
{
  struct spec_device_rule rules[] = { { .allow = true, .type = "b", .major = { true, 8 }, .access = "r" } };
  struct ebpf_insn prog[64];
  int n = ebpf_devices_build (rules, 1, prog, 64);
  CHECK (n > 0 && prog[n - 2].imm == 0 && prog[n - 1].code == (BPF_JMP | BPF_EXIT));
  CHECK (ebpf_devices_build (rules, 1, prog, 8) < 0);
  struct bpf_dev_request sda_r = request ('b', 8, 0, BPF_DEVCG_ACC_READ);
  struct bpf_dev_request sda_w = request ('b', 8, 0, BPF_DEVCG_ACC_WRITE);
  CHECK (run (prog, n, &sda_r) == ALLOW);
  CHECK (run (prog, n, &sda_w) == DENY);
}

/* Every max below what the program needs fails without writing past max;
 * exactly what it needs succeeds. */
static bool
fits_exactly (const char *const *text, size_t n_rules)
{
  struct rules rules = { .n = 0 };
  for (size_t i = 0; i < n_rules; i++)
    if (!parse_rule (text[i], &rules))
      return false;
  struct ebpf_insn full[MAX_INSNS];
  int need = ebpf_devices_build (rules.r, rules.n, full, MAX_INSNS);
  bool ok = need > 0;
  for (int max = 0; ok && max <= need; max++)
    {
      struct ebpf_insn prog[MAX_INSNS + 4];
      memset (prog, 0xa5, sizeof prog);
      int n = ebpf_devices_build (rules.r, rules.n, prog, (size_t) max);
      ok &= max == need ? n == need && memcmp (prog, full, (size_t) need * sizeof *prog) == 0 : n < 0;
      for (int i = max; i < max + 4; i++)
        ok &= prog[i].code == 0xa5 && prog[i].imm == (int32_t) 0xa5a5a5a5;
      if (!ok)
        fprintf (stderr, "  %s...: wrong with max %d (needs %d)\n", n_rules ? text[0] : "no rules", max, need);
    }
  return ok;
}

TEST (ebpf_build_never_writes_past_max)
{
  /* One program ends in an unconditional rule, one in the final deny. */
  static const char *const ends_in_rule[] = { "deny a *:* rwm", "allow c 1:3 rw", "deny c 1:* w", "allow b *:* m" };
  static const char *const ends_in_deny[] = { "allow c 1:3 rw", "deny c 1:* w", "allow b *:* m" };
  CHECK (fits_exactly (ends_in_rule, 4));
  CHECK (fits_exactly (ends_in_deny, 3));
  CHECK (fits_exactly (NULL, 0));
}

/* ebpf_devices_apply() sizes its buffer as 16 + 16 per rule; the longest
 * rule must fit in that, however many there are. */
TEST (ebpf_longest_rules_fit_the_apply_buffer)
{
  enum { N = 1000 };
  static struct spec_device_rule rules[N];
  for (size_t i = 0; i < N; i++)
    rules[i] = (struct spec_device_rule){ .allow = i % 2, .type = "b", .major = { true, (int64_t) i },
                                          .minor = { true, 1 }, .access = "rw" };
  size_t max = 16 + N * 16;
  struct ebpf_insn *prog = calloc (max, sizeof *prog);
  int n = ebpf_devices_build (rules, N, prog, max);
  CHECK (n > 0);
  struct bpf_dev_request odd = request ('b', 999, 1, BPF_DEVCG_ACC_READ);
  struct bpf_dev_request even = request ('b', 998, 1, BPF_DEVCG_ACC_WRITE);
  struct bpf_dev_request other = request ('b', 999, 2, BPF_DEVCG_ACC_READ);
  CHECK (run (prog, n, &odd) == ALLOW);
  CHECK (run (prog, n, &even) == DENY);
  CHECK (run (prog, n, &other) == DENY);
  free (prog);
}
