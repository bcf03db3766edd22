#include "config.h"
#include "cgroup/ebpf_devices.h"
#include "cgroup/internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Registers: r1 = context (struct bpf_cgroup_dev_ctx), r0 = verdict. */
enum
{
  R0 = 0, R1, R2, R3, R4, R5, R6, R7
};

static struct ebpf_insn
insn (uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
  return (struct ebpf_insn){ code, (uint8_t) ((dst & 0xf) | ((src & 0xf) << 4)), off, imm };
}

#define LDX_W(dst, src, off) insn (BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV_X(dst, src) insn (BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_K(dst, imm) insn (BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND_K(dst, imm) insn (BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH_K(dst, imm) insn (BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JNE_K(dst, imm, off) insn (BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ_K(dst, imm, off) insn (BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define EXIT() insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int
access_mask (const char *access)
{
  int mask = 0;
  for (const char *p = access ? access : "rwm"; *p; p++)
    mask |= *p == 'r' ? BPF_DEVCG_ACC_READ : *p == 'w' ? BPF_DEVCG_ACC_WRITE : *p == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  return mask;
}

static bool
is_jump (const struct ebpf_insn *i)
{
  return i->code == (BPF_JMP | BPF_JNE | BPF_K) || i->code == (BPF_JMP | BPF_JEQ | BPF_K);
}

/* The instructions of one rule; jumps skip to the end of the block. */
static size_t
rule_block (const struct spec_device_rule *r, struct ebpf_insn *b)
{
  size_t n = 0;
  char type = r->type ? r->type[0] : 'a';
  int mask = access_mask (r->access);
  bool all_access = mask == (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
  /* Jump offsets are filled in below, once the block's length is known. */
  if (type == 'c' || type == 'b')
    b[n++] = JNE_K (R3, type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
  /* The kernel asks once with the combined access (rw for an O_RDWR
   * open).  As in the v1 devices cgroup, an allow rule decides a request
   * only if it names every access asked for (match_exception()), a deny
   * rule as soon as it names one of them (match_exception_partial()). */
  if (!all_access && r->allow)
    {
      b[n++] = MOV_X (R7, R4);
      b[n++] = AND_K (R7, ~mask);
      b[n++] = JNE_K (R7, 0, 0);
    }
  else if (!all_access)
    {
      b[n++] = MOV_X (R7, R4);
      b[n++] = AND_K (R7, mask);
      b[n++] = JEQ_K (R7, 0, 0);
    }
  if (r->major.set && r->major.v >= 0)
    b[n++] = JNE_K (R5, (int32_t) r->major.v, 0);
  if (r->minor.set && r->minor.v >= 0)
    b[n++] = JNE_K (R6, (int32_t) r->minor.v, 0);
  b[n++] = MOV_K (R0, r->allow ? 1 : 0);
  b[n++] = EXIT ();
  for (size_t i = 0; i < n; i++)
    if (is_jump (&b[i]))
      b[i].off = (int16_t) (n - i - 1);
  return n;
}

int
ebpf_devices_build (const struct spec_device_rule *rules, size_t n, struct ebpf_insn *out, size_t max)
{
  size_t used = 0;
  struct ebpf_insn prologue[] = {
    LDX_W (R2, R1, 0), /* access_type: access << 16 | type */
    MOV_X (R3, R2), AND_K (R3, 0xffff), /* type */
    MOV_X (R4, R2), RSH_K (R4, 16),     /* access */
    LDX_W (R5, R1, 4),                  /* major */
    LDX_W (R6, R1, 8),                  /* minor */
  };
  if (max < sizeof prologue / sizeof prologue[0] + 2)
    return -1;
  memcpy (out, prologue, sizeof prologue);
  used = sizeof prologue / sizeof prologue[0];
  /* Last match wins: test the rules from the last to the first, and let
   * the first match decide. */
  for (size_t i = n; i-- > 0;)
    {
      struct ebpf_insn block[16];
      size_t len = rule_block (&rules[i], block);
      /* A rule without conditions ("a *:* rwm") decides everything that
       * reaches it and ends the program: the verifier rejects the
       * unreachable code after it.  Any other rule leaves room for the
       * final deny. */
      bool ends = len == 2;
      if (used + len + (ends ? 0 : 2) > max)
        return -1;
      memcpy (out + used, block, len * sizeof *block);
      used += len;
      if (ends)
        return (int) used;
    }
  out[used++] = MOV_K (R0, 0);
  out[used++] = EXIT ();
  return (int) used;
}

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

/* The program already attached to this cgroup, if any (tinyrun attaches
 * exactly one). */
static int
attached_prog (int cgroup_fd)
{
  uint32_t ids[8];
  union bpf_attr q;
  memset (&q, 0, sizeof q);
  q.query.target_fd = (uint32_t) cgroup_fd;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = (uint64_t) (uintptr_t) ids;
  q.query.prog_cnt = 8;
  if (sys_bpf (BPF_PROG_QUERY, &q) < 0 || q.query.prog_cnt == 0)
    return -1;
  union bpf_attr g;
  memset (&g, 0, sizeof g);
  g.prog_id = ids[0];
  return sys_bpf (BPF_PROG_GET_FD_BY_ID, &g);
}

int
ebpf_devices_apply (int cgroup_fd, const struct spec_resources *res, tr_error_t *err)
{
  size_t n_spec = res ? res->n_devices : 0;
  cleanup_free struct spec_device_rule *rules = calloc (n_spec + 16, sizeof *rules);
  if (rules == NULL)
    return tr_error (err, ENOMEM, "linux.resources.devices");
  for (size_t i = 0; i < n_spec; i++)
    rules[i] = res->devices[i];
  size_t n = n_spec + cgroup_default_device_rules (res, rules + n_spec, 16);

  size_t max = 16 + n * 16;
  cleanup_free struct ebpf_insn *prog = calloc (max, sizeof *prog);
  if (prog == NULL)
    return tr_error (err, ENOMEM, "linux.resources.devices");
  int count = ebpf_devices_build (rules, n, prog, max);
  if (count < 0)
    return tr_error_plain (err, E2BIG, "linux.resources.devices: too many rules");

  union bpf_attr load;
  memset (&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = (uint64_t) (uintptr_t) prog;
  load.insn_cnt = (uint32_t) count;
  load.license = (uint64_t) (uintptr_t) "GPL";
  cleanup_close int prog_fd = sys_bpf (BPF_PROG_LOAD, &load);
  if (prog_fd < 0)
    {
      /* Load again with the verifier's log, only to say why. */
      int saved = errno;
      static char log[65536];
      log[0] = '\0';
      load.log_buf = (uint64_t) (uintptr_t) log;
      load.log_size = sizeof log;
      load.log_level = 1;
      sys_bpf (BPF_PROG_LOAD, &load);
      char *last = strrchr (log, '\n');
      while (last && last > log && last[1] == '\0')
        {
          *last = '\0';
          last = strrchr (log, '\n');
        }
      return tr_error (err, saved, "linux.resources.devices: load the device filter (verifier: %.300s)",
                       last ? last + 1 : log);
    }

  /* BPF_F_REPLACE swaps the old program for the new one in one step, so
   * an update never leaves a moment with no filter (or with both). */
  cleanup_close int old_fd = attached_prog (cgroup_fd);
  union bpf_attr at;
  memset (&at, 0, sizeof at);
  at.target_fd = (uint32_t) cgroup_fd;
  at.attach_bpf_fd = (uint32_t) prog_fd;
  at.attach_type = BPF_CGROUP_DEVICE;
  at.attach_flags = BPF_F_ALLOW_MULTI | (old_fd >= 0 ? BPF_F_REPLACE : 0);
  at.replace_bpf_fd = old_fd >= 0 ? (uint32_t) old_fd : 0;
  if (sys_bpf (BPF_PROG_ATTACH, &at) < 0)
    return tr_error (err, errno, "linux.resources.devices: attach the device filter");
  return 0;
}
