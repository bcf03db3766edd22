#include "config.h"
#include "cgroup/mount_plan.h"
#include "cgroup/cgroup.h"
#include "cgroup/v1/hierarchies.h"
#include "util/fileutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
add (struct cgroup_mount_plan *p, const char *subdir, const char *fstype, const char *options, const char *host_mnt,
     const char *cgroup_path, tr_error_t *err)
{
  struct cgroup_mount_source *h = &p->v[p->n];
  *h = (struct cgroup_mount_source) {
    .subdir = subdir ? strdup (subdir) : NULL,
    .fstype = strdup (fstype),
    .options = options ? strdup (options) : NULL,
    .host_dir = path_join (host_mnt, cgroup_path),
  };
  p->n++;
  if ((subdir && h->subdir == NULL) || h->fstype == NULL || (options && h->options == NULL) || h->host_dir == NULL)
    return tr_error (err, ENOMEM, "cgroup mount plan");
  return 0;
}

static int
add_v1 (struct cgroup_mount_plan *p, const char *cgroup_path, tr_error_t *err)
{
  const struct v1_hierarchy *h;
  size_t n;
  if (v1_hierarchies (&h, &n, err) < 0)
    return -1;
  p->v = calloc (n + 1, sizeof *p->v);
  if (p->v == NULL)
    return tr_error (err, ENOMEM, "cgroup mount plan");
  p->tmpfs = true;
  for (size_t i = 0; i < n; i++)
    {
      const char *name = h[i].controllers;
      if (strncmp (name, "name=", 5) == 0)
        name += 5;
      if (add (p, name, "cgroup", h[i].controllers, h[i].mountpoint, cgroup_path, err) < 0)
        return -1;
    }
  if (cgroup_layout () == CGROUP_LAYOUT_HYBRID)
    return add (p, "unified", "cgroup2", NULL, CGROUP_UNIFIED_HYBRID, cgroup_path, err);
  return 0;
}

int
cgroup_mount_plan_make (const char *cgroup_path, struct cgroup_mount_plan *out, tr_error_t *err)
{
  *out = (struct cgroup_mount_plan) { 0 };
  int r;
  if (cgroup_layout () == CGROUP_LAYOUT_UNIFIED)
    {
      out->v = calloc (1, sizeof *out->v);
      r = out->v ? add (out, NULL, "cgroup2", NULL, CGROUP_ROOT, cgroup_path, err)
                 : tr_error (err, ENOMEM, "cgroup mount plan");
    }
  else
    r = add_v1 (out, cgroup_path, err);
  if (r < 0)
    cgroup_mount_plan_clear (out);
  return r;
}

void
cgroup_mount_plan_clear (struct cgroup_mount_plan *plan)
{
  for (size_t i = 0; i < plan->n; i++)
    {
      free (plan->v[i].subdir);
      free (plan->v[i].fstype);
      free (plan->v[i].options);
      free (plan->v[i].host_dir);
    }
  free (plan->v);
  *plan = (struct cgroup_mount_plan) { 0 };
}
