#include "config.h"
#include "cgroup/mount_plan.h"
#include "cgroup/cgroup.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
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

/* A line of /proc/self/cgroup: "4:cpu,cpuacct:/user.slice". */
struct own_line
{
  const char *controllers; /* "" for the cgroup2 line */
  const char *path;
};

#define MAX_OWN_LINES 32

static size_t
parse_own (char *buf, struct own_line *out)
{
  size_t n = 0;
  char *save = NULL;
  for (char *line = strtok_r (buf, "\n", &save); line && n < MAX_OWN_LINES; line = strtok_r (NULL, "\n", &save))
    {
      char *ctrl = strchr (line, ':');
      char *path = ctrl ? strchr (ctrl + 1, ':') : NULL;
      if (path == NULL)
        continue;
      *path++ = '\0';
      out[n++] = (struct own_line) { .controllers = ctrl + 1, .path = path };
    }
  return n;
}

/* The container's directory in a hierarchy: cgroup_path, or with own
 * (no cgroup of its own) the runtime's, from /proc/self/cgroup. */
static const char *
dir_in (const char *controllers, const char *cgroup_path, const struct own_line *own, size_t n_own)
{
  if (own == NULL)
    return cgroup_path;
  for (size_t i = 0; i < n_own; i++)
    if (strcmp (own[i].controllers, controllers) == 0)
      return own[i].path;
  return "/";
}

static int
add_v1 (struct cgroup_mount_plan *p, const char *cgroup_path, const struct own_line *own, size_t n_own,
        tr_error_t *err)
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
      if (add (p, name, "cgroup", h[i].controllers, h[i].mountpoint, dir_in (h[i].controllers, cgroup_path, own, n_own),
               err) < 0)
        return -1;
    }
  if (cgroup_layout () == CGROUP_LAYOUT_HYBRID)
    return add (p, "unified", "cgroup2", NULL, CGROUP_UNIFIED_HYBRID, dir_in ("", cgroup_path, own, n_own), err);
  return 0;
}

static int
plan_make (const char *cgroup_path, const struct own_line *own, size_t n_own, struct cgroup_mount_plan *out,
           tr_error_t *err)
{
  *out = (struct cgroup_mount_plan) { 0 };
  int r;
  if (cgroup_layout () == CGROUP_LAYOUT_UNIFIED)
    {
      out->v = calloc (1, sizeof *out->v);
      r = out->v ? add (out, NULL, "cgroup2", NULL, CGROUP_ROOT, dir_in ("", cgroup_path, own, n_own), err)
                 : tr_error (err, ENOMEM, "cgroup mount plan");
    }
  else
    r = add_v1 (out, cgroup_path, own, n_own, err);
  if (r < 0)
    cgroup_mount_plan_clear (out);
  return r;
}

int
cgroup_mount_plan_make (const char *cgroup_path, struct cgroup_mount_plan *out, tr_error_t *err)
{
  return plan_make (cgroup_path, NULL, 0, out, err);
}

int
cgroup_mount_plan_own (struct cgroup_mount_plan *out, tr_error_t *err)
{
  cleanup_free char *buf = read_file_at (AT_FDCWD, "/proc/self/cgroup", NULL, err);
  if (buf == NULL)
    return -1;
  struct own_line own[MAX_OWN_LINES];
  size_t n = parse_own (buf, own);
  return plan_make (NULL, own, n, out, err);
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
