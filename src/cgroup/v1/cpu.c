/* cgroup v1 cpu and cpuset controllers.  As in runc, 0 means "not set"
 * for shares, quota, period and the real-time values: Docker sends zeros
 * for everything it was not asked to change. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v1/controllers.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define FIELD "linux.resources.cpu"

/* One value of a pair the kernel checks against each other. */
struct paired
{
  const char *file, *field;
  bool set;
  char value[32];
};

/* cfs_period_us/cfs_quota_us and rt_period_us/rt_runtime_us: the kernel
 * checks a new period against the current quota (runtime), so a smaller
 * period may be refused (EINVAL) until the new quota is in.  Write the
 * period first and, if it is refused and a quota comes too, write the
 * quota and then the period again (runc's order). */
static int
set_paired (int fd, const struct paired *period, const struct paired *quota, tr_error_t *err)
{
  bool period_again = false;
  if (period->set && cgroup_set (fd, period->file, period->field, period->value, err) < 0)
    {
      if ((*err)->status != EINVAL || !quota->set)
        return -1;
      /* Not a failure yet: the period goes in again after the quota. */
      tr_error_ignore (err, "retrying after the quota");
      period_again = true;
    }
  if (quota->set && cgroup_set (fd, quota->file, quota->field, quota->value, err) < 0)
    return -1;
  if (period_again && cgroup_set (fd, period->file, period->field, period->value, err) < 0)
    return -1;
  return 0;
}

static struct paired
paired_u64 (const char *file, const char *field, const opt_u64 *v)
{
  struct paired p = { file, field, v->set && v->v != 0, "" };
  snprintf (p.value, sizeof p.value, "%" PRIu64, v->v);
  return p;
}

static struct paired
paired_i64 (const char *file, const char *field, const opt_i64 *v, bool negative_is_unlimited)
{
  struct paired p = { file, field, v->set && v->v != 0, "" };
  snprintf (p.value, sizeof p.value, "%" PRId64, negative_is_unlimited && v->v < 0 ? -1 : v->v);
  return p;
}

static int
apply_cfs (int fd, const struct spec_cpu *c, tr_error_t *err)
{
  if (c->shares.set && c->shares.v
      && cgroup_setf (fd, "cpu.shares", FIELD ".shares", err, "%" PRIu64, c->shares.v) < 0)
    return -1;
  struct paired period = paired_u64 ("cpu.cfs_period_us", FIELD ".period", &c->period);
  struct paired quota = paired_i64 ("cpu.cfs_quota_us", FIELD ".quota", &c->quota, true);
  if (set_paired (fd, &period, &quota, err) < 0)
    return -1;
  if (c->burst.set && cgroup_setf (fd, "cpu.cfs_burst_us", FIELD ".burst", err, "%" PRIu64, c->burst.v) < 0)
    return -1;
  if (c->idle.set && cgroup_setf (fd, "cpu.idle", FIELD ".idle", err, "%" PRId64, c->idle.v) < 0)
    return -1;
  struct paired rt_period = paired_u64 ("cpu.rt_period_us", FIELD ".realtimePeriod", &c->realtime_period);
  struct paired rt_runtime = paired_i64 ("cpu.rt_runtime_us", FIELD ".realtimeRuntime", &c->realtime_runtime, false);
  return set_paired (fd, &rt_period, &rt_runtime, err);
}

static int
apply_cpuset (const char *path, const struct spec_cpu *c, tr_error_t *err)
{
  if (c->cpus == NULL && c->mems == NULL)
    return 0;
  cleanup_close int fd = v1_open ("cpuset", path, FIELD, err);
  if (fd < 0)
    return -1;
  if (c->cpus && cgroup_set (fd, "cpuset.cpus", FIELD ".cpus", c->cpus, err) < 0)
    return -1;
  if (c->mems && cgroup_set (fd, "cpuset.mems", FIELD ".mems", c->mems, err) < 0)
    return -1;
  return 0;
}

static bool
wants_cpu (const struct spec_cpu *c)
{
  return (c->shares.set && c->shares.v) || (c->quota.set && c->quota.v) || (c->period.set && c->period.v)
         || c->burst.set || c->idle.set || (c->realtime_period.set && c->realtime_period.v)
         || (c->realtime_runtime.set && c->realtime_runtime.v);
}

int
v1_apply_cpu (const char *path, const struct spec_cpu *c, tr_error_t *err)
{
  if (wants_cpu (c))
    {
      cleanup_close int fd = v1_open ("cpu", path, FIELD, err);
      if (fd < 0 || apply_cfs (fd, c, err) < 0)
        return -1;
    }
  return apply_cpuset (path, c, err);
}
