/* linux.seccomp → a BPF program, compiled with libseccomp and exported to
 * memory, then loaded with seccomp(2) right before execve.  Compiling early
 * keeps `start` fast; loading ourselves lets us pass the filter flags and
 * get the user-notification fd. */
#include "config.h"
#include "linux/seccomp.h"
#include "linux/seccomp_internal.h"
#include "util/cleanup.h"
#include "util/log.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static const struct
{
  const char *name;
  uint32_t action; /* without the data bits */
  bool takes_errno;
} actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL, false },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), true },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), true },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

static const struct
{
  const char *name;
  enum scmp_compare op;
} operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct
{
  const char *name;
  unsigned flag;
} filter_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

/* The architecture names of the runtime spec; arch_token() decides which
 * of them this libseccomp knows. */
static const char *const spec_archs[] = {
  "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",        "SCMP_ARCH_AARCH64",
  "SCMP_ARCH_ARM",      "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",     "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",   "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",       "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",   "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",    "SCMP_ARCH_LOONGARCH64",
};

static int
find_action (const char *name, size_t *index)
{
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (strcmp (actions[i].name, name) == 0)
      {
        *index = i;
        return 0;
      }
  return -1;
}

/* "SCMP_ARCH_X86_64" → libseccomp's token. */
static uint32_t
arch_token (const char *name)
{
  char lower[64];
  if (strncmp (name, "SCMP_ARCH_", 10) != 0)
    return 0;
  size_t i;
  for (i = 0; name[10 + i] && i < sizeof lower - 1; i++)
    lower[i] = (char) (name[10 + i] >= 'A' && name[10 + i] <= 'Z' ? name[10 + i] + 32 : name[10 + i]);
  lower[i] = '\0';
  return seccomp_arch_resolve_name (lower);
}

#define N_ELEMENTS(a) (sizeof (a) / sizeof (a)[0])
size_t
seccomp_action_names (const char **out, size_t max)
{
  for (size_t i = 0; i < N_ELEMENTS (actions) && i < max; i++)
    out[i] = actions[i].name;
  return N_ELEMENTS (actions);
}

size_t
seccomp_operator_names (const char **out, size_t max)
{
  for (size_t i = 0; i < N_ELEMENTS (operators) && i < max; i++)
    out[i] = operators[i].name;
  return N_ELEMENTS (operators);
}

size_t
seccomp_flag_names (const char **out, size_t max)
{
  for (size_t i = 0; i < N_ELEMENTS (filter_flags) && i < max; i++)
    out[i] = filter_flags[i].name;
  return N_ELEMENTS (filter_flags);
}

size_t
seccomp_arch_names (const char **out, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; i < N_ELEMENTS (spec_archs); i++)
    if (arch_token (spec_archs[i]) != 0)
      {
        if (n < max)
          out[n] = spec_archs[i];
        n++;
      }
  return n;
}

int
seccomp_config_validate (const struct spec_seccomp *s, tr_error_t *err)
{
  size_t a;
  if (find_action (s->default_action, &a) < 0)
    return tr_error_plain (err, EINVAL, "linux.seccomp.defaultAction: unknown action \"%s\"", s->default_action);
  for (size_t i = 0; i < s->architectures.n; i++)
    if (arch_token (s->architectures.v[i]) == 0)
      return tr_error_plain (err, EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i,
                             s->architectures.v[i]);
  for (size_t i = 0; i < s->flags.n; i++)
    {
      bool known = false;
      for (size_t f = 0; f < sizeof filter_flags / sizeof filter_flags[0]; f++)
        known |= strcmp (filter_flags[f].name, s->flags.v[i]) == 0;
      if (!known)
        return tr_error_plain (err, EINVAL, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, s->flags.v[i]);
    }
  bool notify = strcmp (s->default_action, "SCMP_ACT_NOTIFY") == 0;
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *sc = &s->syscalls[i];
      if (find_action (sc->action, &a) < 0)
        return tr_error_plain (err, EINVAL, "linux.seccomp.syscalls[%zu].action: unknown action \"%s\"", i,
                               sc->action);
      notify |= strcmp (sc->action, "SCMP_ACT_NOTIFY") == 0;
      for (size_t j = 0; j < sc->n_args; j++)
        {
          bool known = false;
          for (size_t o = 0; o < sizeof operators / sizeof operators[0]; o++)
            known |= strcmp (operators[o].name, sc->args[j].op) == 0;
          if (!known)
            return tr_error_plain (err, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator \"%s\"",
                                   i, j, sc->args[j].op);
          if (sc->args[j].index > 5)
            return tr_error_plain (err, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu].index: %u is not 0..5", i, j,
                                   sc->args[j].index);
        }
    }
  if (notify && (s->listener_path == NULL || s->listener_path[0] == '\0'))
    return tr_error_plain (err, EINVAL, "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY");
  if (strcmp (s->default_action, "SCMP_ACT_NOTIFY") == 0)
    return tr_error_plain (err, EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default");
  return 0;
}

static uint32_t
action_value (const char *name, const opt_u64 *errno_ret)
{
  size_t a = 0;
  find_action (name, &a);
  if (!actions[a].takes_errno)
    return actions[a].action;
  uint32_t data = errno_ret->set ? (uint32_t) errno_ret->v : EPERM;
  return strcmp (name, "SCMP_ACT_ERRNO") == 0 ? SCMP_ACT_ERRNO (data) : SCMP_ACT_TRACE (data);
}

static enum scmp_compare
operator_of (const char *name)
{
  for (size_t o = 0; o < sizeof operators / sizeof operators[0]; o++)
    if (strcmp (operators[o].name, name) == 0)
      return operators[o].op;
  return SCMP_CMP_EQ;
}

/* Conditions on the same argument are alternatives (one rule each, as
 * runc does); conditions on different arguments must all hold. */
static bool
repeats_an_index (const struct spec_seccomp_syscall *sc)
{
  for (size_t i = 0; i < sc->n_args; i++)
    for (size_t j = i + 1; j < sc->n_args; j++)
      if (sc->args[i].index == sc->args[j].index)
        return true;
  return false;
}

static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, const struct spec_seccomp_syscall *sc, size_t field,
          tr_error_t *err)
{
  struct scmp_arg_cmp cmps[6];
  int r;
  if (sc->n_args == 0)
    r = seccomp_rule_add_array (ctx, action, nr, 0, NULL);
  else if (repeats_an_index (sc))
    {
      r = 0;
      for (size_t j = 0; j < sc->n_args && r == 0; j++)
        {
          const struct spec_seccomp_arg *a = &sc->args[j];
          cmps[0] = (struct scmp_arg_cmp){ a->index, operator_of (a->op), a->value, a->value_two };
          r = seccomp_rule_add_array (ctx, action, nr, 1, cmps);
        }
    }
  else
    {
      unsigned n = sc->n_args > 6 ? 6 : (unsigned) sc->n_args;
      for (unsigned j = 0; j < n; j++)
        {
          const struct spec_seccomp_arg *a = &sc->args[j];
          cmps[j] = (struct scmp_arg_cmp){ a->index, operator_of (a->op), a->value, a->value_two };
        }
      r = seccomp_rule_add_array (ctx, action, nr, n, cmps);
    }
  if (r < 0)
    return tr_error (err, -r, "linux.seccomp.syscalls[%zu]: add rule", field);
  return 0;
}

/* The exported program, read back from an anonymous file. */
static int
export_program (scmp_filter_ctx ctx, struct seccomp_program *p, tr_error_t *err)
{
  cleanup_close int fd = memfd_create ("seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "memfd_create");
  int r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return tr_error (err, -r, "linux.seccomp: export the filter");
  off_t size = lseek (fd, 0, SEEK_END);
  if (size <= 0 || size % (off_t) sizeof (struct sock_filter) != 0 || size / 8 > 65535)
    return tr_error_plain (err, EINVAL, "linux.seccomp: unexpected filter size %lld", (long long) size);
  p->insns = malloc ((size_t) size);
  if (p->insns == NULL)
    return tr_error (err, ENOMEM, "linux.seccomp");
  if (pread (fd, p->insns, (size_t) size, 0) != size)
    return tr_error (err, errno, "linux.seccomp: read the filter");
  p->len = (unsigned short) (size / (off_t) sizeof (struct sock_filter));
  return 0;
}

static int
build (scmp_filter_ctx ctx, const struct spec_seccomp *s, struct seccomp_program *p, tr_error_t *err)
{
  for (size_t i = 0; i < s->architectures.n; i++)
    {
      int r = seccomp_arch_add (ctx, arch_token (s->architectures.v[i]));
      if (r < 0 && r != -EEXIST)
        return tr_error (err, -r, "linux.seccomp.architectures[%zu]", i);
    }
  uint32_t default_action = action_value (s->default_action, &s->default_errno_ret);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *sc = &s->syscalls[i];
      uint32_t action = action_value (sc->action, &sc->errno_ret);
      /* libseccomp refuses a rule that repeats the default action. */
      if (action == default_action)
        continue;
      for (size_t n = 0; n < sc->names.n; n++)
        {
          int nr = seccomp_syscall_resolve_name (sc->names.v[n]);
          if (nr == __NR_SCMP_ERROR)
            {
              log_debug ("seccomp: unknown syscall \"%s\" skipped", sc->names.v[n]);
              continue;
            }
          if (add_rule (ctx, action, nr, sc, i, err) < 0)
            return -1;
        }
    }
  p->flags = seccomp_program_flags (s);
  return export_program (ctx, p, err);
}

unsigned
seccomp_program_flags (const struct spec_seccomp *s)
{
  unsigned flags = 0;
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (strcmp (s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
      flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  for (size_t i = 0; i < s->flags.n; i++)
    for (size_t f = 0; f < sizeof filter_flags / sizeof filter_flags[0]; f++)
      if (strcmp (filter_flags[f].name, s->flags.v[i]) == 0)
        flags |= filter_flags[f].flag;
  return flags;
}

void
seccomp_program_free (struct seccomp_program *p)
{
  if (p)
    free (p->insns);
  free (p);
}

int
seccomp_compile (const struct spec_seccomp *s, struct seccomp_program **out, tr_error_t *err)
{
  *out = NULL;
  if (seccomp_config_validate (s, err) < 0)
    return -1;
  *out = seccomp_cache_take (s);
  if (*out)
    return 0;
  scmp_filter_ctx ctx = seccomp_init (action_value (s->default_action, &s->default_errno_ret));
  if (ctx == NULL)
    return tr_error (err, EINVAL, "linux.seccomp: seccomp_init");
  struct seccomp_program *p = calloc (1, sizeof *p);
  int ret = p ? build (ctx, s, p, err) : tr_error (err, ENOMEM, "linux.seccomp");
  seccomp_release (ctx);
  if (ret < 0)
    {
      seccomp_program_free (p);
      return -1;
    }
  *out = p;
  return 0;
}

bool
seccomp_program_notifies (const struct seccomp_program *prog)
{
  return prog && (prog->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
}

int
seccomp_install (struct seccomp_program *prog, int *notify_fd, tr_error_t *err)
{
  *notify_fd = -1;
  struct sock_fprog fprog = { .len = prog->len, .filter = prog->insns };
  int r = (int) syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, prog->flags, &fprog);
  if (r < 0)
    return tr_error (err, errno, "linux.seccomp: load the filter");
  if (prog->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
    *notify_fd = r;
  return 0;
}
