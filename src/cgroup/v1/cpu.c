/* cgroup v1 cpu and cpuset controllers. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v1/controllers.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"

#include <inttypes.h>

#define FIELD "linux.resources.cpu"

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

int
v1_apply_cpu (const char *path, const struct spec_cpu *c, tr_error_t *err)
{
  bool any = c->shares.set || c->quota.set || c->period.set || c->burst.set || c->realtime_period.set
             || c->realtime_runtime.set || c->idle.set;
  if (any)
    {
      cleanup_close int fd = v1_open ("cpu", path, FIELD, err);
      if (fd < 0)
        return -1;
      if (c->shares.set && cgroup_setf (fd, "cpu.shares", FIELD ".shares", err, "%" PRIu64, c->shares.v) < 0)
        return -1;
      /* The period first: a quota is checked against the current period. */
      if (c->period.set && cgroup_setf (fd, "cpu.cfs_period_us", FIELD ".period", err, "%" PRIu64, c->period.v) < 0)
        return -1;
      if (c->quota.set
          && cgroup_setf (fd, "cpu.cfs_quota_us", FIELD ".quota", err, "%" PRId64, c->quota.v > 0 ? c->quota.v : -1)
                 < 0)
        return -1;
      if (c->burst.set && cgroup_setf (fd, "cpu.cfs_burst_us", FIELD ".burst", err, "%" PRIu64, c->burst.v) < 0)
        return -1;
      if (c->realtime_period.set
          && cgroup_setf (fd, "cpu.rt_period_us", FIELD ".realtimePeriod", err, "%" PRIu64, c->realtime_period.v) < 0)
        return -1;
      if (c->realtime_runtime.set
          && cgroup_setf (fd, "cpu.rt_runtime_us", FIELD ".realtimeRuntime", err, "%" PRId64, c->realtime_runtime.v)
                 < 0)
        return -1;
      if (c->idle.set && cgroup_setf (fd, "cpu.idle", FIELD ".idle", err, "%" PRId64, c->idle.v) < 0)
        return -1;
    }
  return apply_cpuset (path, c, err);
}
