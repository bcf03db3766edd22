/* Placeholder until the resource drivers land (issue: cgroups). */
#include "config.h"
#include "cgroup_internal.h"

#include <errno.h>

static int
check_unsupported (const struct spec_resources *res, tr_error_t *err)
{
  if (res->memory || res->cpu || res->pids_limit.set || res->block_io || res->n_hugepage_limits || res->network
      || res->n_rdma || res->unified.n)
    return tr_error_plain (err, ENOTSUP, "linux.resources: not supported yet");
  return 0;
}

int
cgroup_v2_apply (int dirfd, const struct spec_resources *res, bool update, tr_error_t *err)
{
  (void) dirfd;
  (void) update;
  return check_unsupported (res, err);
}

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
