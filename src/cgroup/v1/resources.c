/* linux.resources on cgroup v1: one call per controller asked for. */
#include "config.h"
#include "cgroup/internal.h"
#include "linux/rootless.h"
#include "cgroup/v1/controllers.h"

#include <errno.h>
#include <unistd.h>

int
cgroup_v1_apply (const char *path, const struct spec_resources *res, bool update, tr_error_t *err)
{
  if (res->unified.n)
    return tr_error_plain (err, ENOTSUP, "linux.resources.unified: needs a cgroup v2 host");
  if (res->memory && v1_apply_memory (path, res->memory, update, err) < 0)
    return -1;
  if (res->cpu && v1_apply_cpu (path, res->cpu, err) < 0)
    return -1;
  if (res->pids_limit.set && v1_apply_pids (path, res->pids_limit.v, err) < 0)
    return -1;
  if (res->block_io && v1_apply_blkio (path, res->block_io, err) < 0)
    return -1;
  if (res->n_hugepage_limits && v1_apply_hugetlb (path, res, err) < 0)
    return -1;
  if (res->network && v1_apply_network (path, res->network, err) < 0)
    return -1;
  if (res->n_rdma && v1_apply_rdma (path, res, err) < 0)
    return -1;
  /* Device rules are part of every container's setup; an update only
   * replaces them when it brings some. */
  /* Rootless (as runc): an ordinary user can set no device rules, and its
   * user namespace can make no device nodes either; nor can the root of
   * a user namespace (rootless podman's). */
  if ((!update || res->n_devices) && !rootless () && v1_apply_devices (path, res, err) < 0)
    return -1;
  return 0;
}
