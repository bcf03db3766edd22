/* cgroup v2 cpu and cpuset controllers. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v2/controllers.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define FIELD "linux.resources.cpu"

uint64_t
v2_cpu_weight_from_shares (uint64_t shares)
{
  /* The conversion runc, crun and systemd agree on: the v1 range
   * [2, 262144] maps linearly onto [1, 10000]. */
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

int
v2_apply_cpu (int fd, const struct spec_cpu *c, tr_error_t *err)
{
  if (c->shares.set && c->shares.v
      && cgroup_setf (fd, "cpu.weight", FIELD ".shares", err, "%" PRIu64, v2_cpu_weight_from_shares (c->shares.v))
             < 0)
    return -1;
  if (c->quota.set || c->period.set)
    {
      char quota[32] = "max";
      if (c->quota.set && c->quota.v > 0)
        snprintf (quota, sizeof quota, "%" PRId64, c->quota.v);
      uint64_t period = c->period.set && c->period.v ? c->period.v : 100000;
      if (cgroup_setf (fd, "cpu.max", FIELD ".quota", err, "%s %" PRIu64, quota, period) < 0)
        return -1;
    }
  if (c->burst.set && cgroup_setf (fd, "cpu.max.burst", FIELD ".burst", err, "%" PRIu64, c->burst.v) < 0)
    return -1;
  if (c->idle.set && cgroup_setf (fd, "cpu.idle", FIELD ".idle", err, "%" PRId64, c->idle.v) < 0)
    return -1;
  if ((c->realtime_runtime.set && c->realtime_runtime.v) || (c->realtime_period.set && c->realtime_period.v))
    return tr_error_plain (err, ENOTSUP, FIELD ".realtimeRuntime: cgroup v2 has no real-time cpu limits");
  if (c->cpus && cgroup_set (fd, "cpuset.cpus", FIELD ".cpus", c->cpus, err) < 0)
    return -1;
  if (c->mems && cgroup_set (fd, "cpuset.mems", FIELD ".mems", c->mems, err) < 0)
    return -1;
  return 0;
}
