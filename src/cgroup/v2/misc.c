/* cgroup v2 pids, hugetlb, rdma, and the free-form linux.resources.unified. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/pids_limit.h"
#include "cgroup/v2/controllers.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int
v2_apply_pids (int fd, int64_t limit, tr_error_t *err)
{
  char text[32];
  return cgroup_set (fd, "pids.max", "linux.resources.pids.limit", cgroup_pids_max_text (limit, text), err);
}

int
v2_apply_hugetlb (int fd, const struct spec_resources *res, tr_error_t *err)
{
  for (size_t i = 0; i < res->n_hugepage_limits; i++)
    {
      const struct spec_hugepage_limit *h = &res->hugepage_limits[i];
      char file[128], field[96];
      snprintf (file, sizeof file, "hugetlb.%s.max", h->page_size);
      snprintf (field, sizeof field, "linux.resources.hugepageLimits[%zu]", i);
      if (!cgroup_has_file (fd, file))
        return tr_error_plain (err, EINVAL, "%s.pageSize: no huge page size \"%s\" here (no %s)", field, h->page_size,
                               file);
      if (cgroup_setf (fd, file, field, err, "%" PRIu64, h->limit) < 0)
        return -1;
    }
  return 0;
}


int
v2_apply_unified (int fd, const kvlist *unified, tr_error_t *err)
{
  for (size_t i = 0; i < unified->n; i++)
    {
      const char *key = unified->v[i].key;
      char field[300];
      snprintf (field, sizeof field, "linux.resources.unified.%s", key);
      /* Only files of this very cgroup: no path games. */
      if (strchr (key, '/') || strstr (key, "..") || key[0] == '\0' || key[0] == '.')
        return tr_error_plain (err, EINVAL, "%s: not a cgroup interface file name", field);
      if (!cgroup_has_file (fd, key))
        return tr_error_plain (err, ENOENT, "%s: no such cgroup file (is its controller enabled?)", field);
      if (cgroup_set (fd, key, field, unified->v[i].value, err) < 0)
        return -1;
    }
  return 0;
}

int
v2_apply_rdma (int fd, const struct spec_resources *res, tr_error_t *err)
{
  return cgroup_set_rdma (fd, res, err);
}
