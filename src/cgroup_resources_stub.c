/* Placeholder until the resource drivers land (issue: cgroups). */
#include "config.h"
#include "cgroup_internal.h"

#include <errno.h>

int
cgroup_v2_stats_json (const char *mnt, const char *path, void *gen, tr_error_t *err)
{
  (void) mnt;
  (void) path;
  (void) gen;
  return tr_error_plain (err, ENOTSUP, "cgroup statistics: not supported yet");
}

int
cgroup_v1_stats_json (const char *path, void *gen, tr_error_t *err)
{
  (void) path;
  (void) gen;
  return tr_error_plain (err, ENOTSUP, "cgroup statistics: not supported yet");
}
