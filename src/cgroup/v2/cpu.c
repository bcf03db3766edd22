/* cgroup v2 cpu and cpuset controllers. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v2/controllers.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define FIELD "linux.resources.cpu"

uint64_t
v2_cpu_weight_from_shares (uint64_t shares)
{
  /* The conversion runc, crun and systemd agree on: the v1 range
   * [2, 262144] maps linearly onto [1, 10000]. */
  return cgroup_v2_weight (shares, 2, 262144);
}

bool
v2_cpu_max_text (const struct spec_cpu *c, const char *current, char *out, size_t size)
{
  bool quota = c->quota.set && c->quota.v != 0, period = c->period.set && c->period.v != 0;
  if (!quota && !period)
    return false;
  /* What the cgroup has now, for the half that is not being set. */
  char cur_quota[32] = "max";
  unsigned long long cur_period = 100000; /* the kernel's default */
  if (current)
    sscanf (current, "%31s %llu", cur_quota, &cur_period);
  char new_quota[32];
  if (!quota)
    snprintf (new_quota, sizeof new_quota, "%s", cur_quota);
  else if (c->quota.v < 0)
    snprintf (new_quota, sizeof new_quota, "max");
  else
    snprintf (new_quota, sizeof new_quota, "%" PRId64, c->quota.v);
  snprintf (out, size, "%s %llu", new_quota, period ? (unsigned long long) c->period.v : cur_period);
  return true;
}

static int
set_cpu_max (int fd, const struct spec_cpu *c, tr_error_t *err)
{
  char text[80];
  cleanup_free char *current = NULL;
  /* Only a caller that leaves one half unset needs the file's text. */
  if (!(c->quota.set && c->quota.v && c->period.set && c->period.v)
      && (current = read_file_at (fd, "cpu.max", NULL, err)) == NULL)
    return tr_error_wrap (err, FIELD ".quota");
  if (!v2_cpu_max_text (c, current, text, sizeof text))
    return 0;
  return cgroup_set (fd, "cpu.max", FIELD ".quota", text, err);
}

int
v2_apply_cpu (int fd, const struct spec_cpu *c, tr_error_t *err)
{
  /* 0 means "not set" for shares, quota, period and the real-time
   * values, as in runc (Docker sends zeros). */
  if (c->shares.set && c->shares.v
      && cgroup_setf (fd, "cpu.weight", FIELD ".shares", err, "%" PRIu64, v2_cpu_weight_from_shares (c->shares.v))
             < 0)
    return -1;
  if (((c->quota.set && c->quota.v) || (c->period.set && c->period.v)) && set_cpu_max (fd, c, err) < 0)
    return -1;
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
