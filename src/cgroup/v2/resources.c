/* linux.resources on cgroup v2: one call per controller asked for. */
#include "config.h"
#include "cgroup/internal.h"
#include "linux/rootless.h"
#include "cgroup/v2/controllers.h"
#include "cgroup/ebpf_devices.h"

#include <errno.h>
#include <unistd.h>

int
cgroup_v2_apply (int fd, const struct spec_resources *res, bool update, tr_error_t *err)
{
  if (res->memory && v2_apply_memory (fd, res->memory, update, err) < 0)
    return -1;
  if (res->cpu && v2_apply_cpu (fd, res->cpu, err) < 0)
    return -1;
  if (res->pids_limit.set && v2_apply_pids (fd, res->pids_limit.v, err) < 0)
    return -1;
  if (res->block_io && v2_apply_io (fd, res->block_io, err) < 0)
    return -1;
  if (res->n_hugepage_limits && v2_apply_hugetlb (fd, res, err) < 0)
    return -1;
  if (res->n_rdma && v2_apply_rdma (fd, res, err) < 0)
    return -1;
  if (res->network && (res->network->class_id.set || res->network->n_priorities))
    return tr_error_plain (err, ENOTSUP, "linux.resources.network: cgroup v2 has no net_cls/net_prio controllers");
  /* unified last: it may deliberately override what the fields above set. */
  if (res->unified.n && v2_apply_unified (fd, &res->unified, err) < 0)
    return -1;
  /* Rootless (as runc): an ordinary user can set no device rules, and its
   * user namespace can make no device nodes either; nor can the root of
   * a user namespace (rootless podman's). */
  if ((!update || res->n_devices) && !rootless () && ebpf_devices_apply (fd, res, err) < 0)
    return -1;
  return 0;
}
