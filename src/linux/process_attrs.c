#include "config.h"
#include "linux/process_attrs.h"
#include "linux/procfs.h"
#include "util/fileutil.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/resource.h>

int
process_apply_rlimits (const struct spec_process *p, tr_error_t *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct spec_rlimit *rl = &p->rlimits[i];
      struct rlimit lim = { .rlim_cur = rl->soft, .rlim_max = rl->hard };
      if (setrlimit (rl->resource, &lim) < 0)
        {
          struct rlimit cur;
          getrlimit (rl->resource, &cur);
          if (errno == EPERM && rl->hard > cur.rlim_max)
            return tr_error (err, errno,
                             "process.rlimits[%zu]: %s hard limit %llu is above the runtime's own %llu and raising it "
                             "needs CAP_SYS_RESOURCE",
                             i, rl->type, (unsigned long long) rl->hard, (unsigned long long) cur.rlim_max);
          return tr_error (err, errno, "process.rlimits[%zu]: setrlimit %s soft=%llu hard=%llu", i, rl->type,
                           (unsigned long long) rl->soft, (unsigned long long) rl->hard);
        }
    }
  return 0;
}

int
process_apply_oom_score (const struct spec_process *p, tr_error_t *err)
{
  if (!p->oom_score_adj.set)
    return 0;
  char buf[32];
  snprintf (buf, sizeof buf, "%lld", (long long) p->oom_score_adj.v);
  if (procfs_write ("self/oom_score_adj", buf, err) < 0)
    return tr_error_wrap (err, "process.oomScoreAdj");
  return 0;
}

/* sched_setattr(2) has no glibc wrapper. */
struct sched_attr_v1
{
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
};

static const struct
{
  const char *name;
  int value;
} sched_policies[] = {
  { "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 }, { "SCHED_BATCH", 3 },
  { "SCHED_ISO", 4 },   { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
}, sched_flag_names[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },      { "SCHED_FLAG_DL_OVERRUN", 0x04 },
  { "SCHED_FLAG_KEEP_POLICY", 0x08 },   { "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
}, io_classes[] = {
  { "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 },
};

#define LOOKUP(table, name) lookup (table, sizeof table / sizeof table[0], name)

static int
lookup (const void *table, size_t n, const char *name)
{
  const struct
  {
    const char *name;
    int value;
  } *t = table;
  for (size_t i = 0; i < n; i++)
    if (strcmp (t[i].name, name) == 0)
      return t[i].value;
  return -1;
}

static int
apply_scheduler (const struct spec_scheduler *s, tr_error_t *err)
{
  struct sched_attr_v1 attr = {
    .size = sizeof attr,
    .sched_policy = (uint32_t) LOOKUP (sched_policies, s->policy),
    .sched_nice = (int32_t) s->nice.v,
    .sched_priority = (uint32_t) s->priority.v,
    .sched_runtime = s->runtime.v,
    .sched_deadline = s->deadline.v,
    .sched_period = s->period.v,
  };
  for (size_t i = 0; i < s->flags.n; i++)
    attr.sched_flags |= (uint64_t) LOOKUP (sched_flag_names, s->flags.v[i]);
  if (syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
    return tr_error (err, errno, "process.scheduler: sched_setattr %s", s->policy);
  return 0;
}

static int
apply_io_priority (const struct spec_io_priority *io, tr_error_t *err)
{
  int value = (LOOKUP (io_classes, io->class_name) << 13) | (int) io->priority;
  if (syscall (SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, value) < 0)
    return tr_error (err, errno, "process.ioPriority: ioprio_set %s %lld", io->class_name,
                     (long long) io->priority);
  return 0;
}

/* "0-3,6" → a CPU set. */
static int
parse_cpu_list (const char *list, cpu_set_t *set)
{
  CPU_ZERO (set);
  for (const char *p = list; *p;)
    {
      char *end;
      long a = strtol (p, &end, 10), b;
      if (end == p || a < 0 || a >= CPU_SETSIZE)
        return -1;
      b = a;
      if (*end == '-')
        {
          p = end + 1;
          b = strtol (p, &end, 10);
          if (end == p || b < a || b >= CPU_SETSIZE)
            return -1;
        }
      for (long c = a; c <= b; c++)
        CPU_SET ((int) c, set);
      p = *end == ',' ? end + 1 : end;
      if (*end && *end != ',')
        return -1;
    }
  return 0;
}

int
process_apply_affinity (const struct spec_process *p, bool final, tr_error_t *err)
{
  if (p == NULL)
    {
      /* Every CPU the kernel has, which it narrows to the cpuset; a
       * failure leaves the caller's, which is no reason to stop (runc's
       * tryResetCPUAffinity). */
      cpu_set_t all;
      CPU_ZERO (&all);
      for (int c = 0; c < CPU_SETSIZE; c++)
        CPU_SET (c, &all);
      if (sched_setaffinity (0, sizeof all, &all) < 0)
        log_warning ("reset the CPU affinity: %s: the process keeps the runtime's", strerror (errno));
      return 0;
    }
  const struct spec_cpu_affinity *a = p->exec_cpu_affinity;
  if (a == NULL)
    return 0;
  const char *list = final ? a->final : a->initial;
  cpu_set_t set;
  /* No "final" (or no "initial"): the affinity is left as it is, the
   * kernel's after the move to the cgroup (runtime-spec, runc). */
  if (list == NULL || list[0] == '\0')
    return 0;
  if (parse_cpu_list (list, &set) < 0)
    return tr_error_plain (err, EINVAL, "process.execCPUAffinity.%s: \"%s\" is not a CPU list",
                           final ? "final" : "initial", list);
  if (sched_setaffinity (0, sizeof set, &set) < 0)
    return tr_error (err, errno, "process.execCPUAffinity.%s: sched_setaffinity", final ? "final" : "initial");
  return 0;
}

int
process_apply_scheduling (const struct spec_process *p, tr_error_t *err)
{
  if (p->scheduler && apply_scheduler (p->scheduler, err) < 0)
    return -1;
  if (p->io_priority && apply_io_priority (p->io_priority, err) < 0)
    return -1;
  return 0;
}

int
process_attrs_validate (const struct spec_process *p, const char *path, tr_error_t *err)
{
  const struct spec_scheduler *s = p->scheduler;
  if (s && LOOKUP (sched_policies, s->policy) < 0)
    return tr_error_plain (err, EINVAL, "%s.scheduler.policy: unknown policy \"%s\"", path, s->policy);
  for (size_t i = 0; s && i < s->flags.n; i++)
    if (LOOKUP (sched_flag_names, s->flags.v[i]) < 0)
      return tr_error_plain (err, EINVAL, "%s.scheduler.flags[%zu]: unknown flag \"%s\"", path, i, s->flags.v[i]);
  if (s && s->nice.set && (s->nice.v < -20 || s->nice.v > 19))
    return tr_error_plain (err, EINVAL, "%s.scheduler.nice: %lld is outside -20..19", path, (long long) s->nice.v);
  const struct spec_io_priority *io = p->io_priority;
  if (io && LOOKUP (io_classes, io->class_name) < 0)
    return tr_error_plain (err, EINVAL, "%s.ioPriority.class: unknown class \"%s\"", path, io->class_name);
  if (io && (io->priority < 0 || io->priority > 7))
    return tr_error_plain (err, EINVAL, "%s.ioPriority.priority: %lld is outside 0..7", path,
                           (long long) io->priority);
  cpu_set_t set;
  const struct spec_cpu_affinity *a = p->exec_cpu_affinity;
  if (a && a->initial && parse_cpu_list (a->initial, &set) < 0)
    return tr_error_plain (err, EINVAL, "%s.execCPUAffinity.initial: \"%s\" is not a CPU list", path, a->initial);
  if (a && a->final && parse_cpu_list (a->final, &set) < 0)
    return tr_error_plain (err, EINVAL, "%s.execCPUAffinity.final: \"%s\" is not a CPU list", path, a->final);
  return 0;
}

int
personality_apply (const struct spec_personality *pers, tr_error_t *err)
{
  if (pers == NULL)
    return 0;
  unsigned long domain = strcmp (pers->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
  if (personality (domain) < 0)
    return tr_error (err, errno, "linux.personality: personality %s", pers->domain);
  return 0;
}

int
personality_validate (const struct spec_personality *pers, tr_error_t *err)
{
  if (pers && strcmp (pers->domain, "LINUX") != 0 && strcmp (pers->domain, "LINUX32") != 0)
    return tr_error_plain (err, EINVAL, "linux.personality.domain: \"%s\" is not LINUX or LINUX32", pers->domain);
  if (pers && pers->flags.n)
    return tr_error_plain (err, EINVAL, "linux.personality.flags: no flags are defined");
  return 0;
}
