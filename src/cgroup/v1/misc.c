/* cgroup v1 pids, hugetlb, net_cls, net_prio and rdma controllers. */
#include "config.h"
#include "cgroup/root_fd.h"
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "cgroup/pids_limit.h"
#include "cgroup/v1/controllers.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int
v1_apply_pids (const char *path, int64_t limit, tr_error_t *err)
{
  cleanup_close int fd = v1_open ("pids", path, "linux.resources.pids", err);
  if (fd < 0)
    return -1;
  char text[32];
  return cgroup_set (fd, "pids.max", "linux.resources.pids.limit", cgroup_pids_max_text (limit, text), err);
}

/* On hybrid hosts hugetlb may live only in the cgroup2 mount (this
 * project's hosts are like that): then the limits go there, as
 * hugetlb.<size>.max. */
static int
open_hugetlb (const char *path, bool *v2, tr_error_t *err)
{
  *v2 = false;
  if (v1_find ("hugetlb"))
    return v1_open ("hugetlb", path, "linux.resources.hugepageLimits", err);
  const char *mnt = cgroup_v2_mountpoint ();
  if (mnt)
    {
      char dir[4096];
      snprintf (dir, sizeof dir, "%s%s", mnt, path);
      int fd = cgroupfs_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0 && cgroup_has_file (fd, "cgroup.controllers"))
        {
          cleanup_free char *ctrls = read_file_at (fd, "cgroup.controllers", NULL, NULL);
          if (ctrls && strstr (ctrls, "hugetlb"))
            {
              *v2 = true;
              return fd;
            }
        }
      if (fd >= 0)
        close (fd);
    }
  return tr_error_plain (err, ENOTSUP,
                         "linux.resources.hugepageLimits: the hugetlb cgroup controller is not available on this host");
}

int
v1_apply_hugetlb (const char *path, const struct spec_resources *res, tr_error_t *err)
{
  bool v2;
  cleanup_close int fd = open_hugetlb (path, &v2, err);
  if (fd < 0)
    return -1;
  for (size_t i = 0; i < res->n_hugepage_limits; i++)
    {
      const struct spec_hugepage_limit *h = &res->hugepage_limits[i];
      char file[128], field[96];
      snprintf (file, sizeof file, v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", h->page_size);
      snprintf (field, sizeof field, "linux.resources.hugepageLimits[%zu]", i);
      if (!cgroup_has_file (fd, file))
        return tr_error_plain (err, EINVAL, "%s.pageSize: no huge page size \"%s\" on this host (no %s)", field,
                               h->page_size, file);
      if (cgroup_setf (fd, file, field, err, "%" PRIu64, h->limit) < 0)
        return -1;
    }
  return 0;
}

int
v1_apply_network (const char *path, const struct spec_network *n, tr_error_t *err)
{
  if (n->class_id.set)
    {
      cleanup_close int fd = v1_open ("net_cls", path, "linux.resources.network.classID", err);
      if (fd < 0 || cgroup_setf (fd, "net_cls.classid", "linux.resources.network.classID", err, "%" PRIu64,
                                 n->class_id.v)
                        < 0)
        return -1;
    }
  if (n->n_priorities)
    {
      cleanup_close int fd = v1_open ("net_prio", path, "linux.resources.network.priorities", err);
      if (fd < 0)
        return -1;
      for (size_t i = 0; i < n->n_priorities; i++)
        {
          char field[96];
          snprintf (field, sizeof field, "linux.resources.network.priorities[%zu]", i);
          if (cgroup_setf (fd, "net_prio.ifpriomap", field, err, "%s %u", n->priorities[i].name,
                           n->priorities[i].priority)
              < 0)
            return -1;
        }
    }
  return 0;
}


int
v1_apply_rdma (const char *path, const struct spec_resources *res, tr_error_t *err)
{
  cleanup_close int fd = v1_open ("rdma", path, "linux.resources.rdma", err);
  if (fd < 0)
    return -1;
  return cgroup_set_rdma (fd, res, err);
}
