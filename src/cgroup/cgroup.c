/* Layout detection, path resolution and dispatch to the v1/v2 drivers. */
#include "config.h"
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static int detected_layout = -1;

enum cgroup_layout
cgroup_layout (void)
{
  if (detected_layout >= 0)
    return (enum cgroup_layout) detected_layout;
  struct statfs sfs;
  if (statfs (CGROUP_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    detected_layout = CGROUP_LAYOUT_UNIFIED;
  else if (statfs (CGROUP_UNIFIED_HYBRID, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    detected_layout = CGROUP_LAYOUT_HYBRID;
  else
    detected_layout = CGROUP_LAYOUT_LEGACY;
  return (enum cgroup_layout) detected_layout;
}

const char *
cgroup_layout_name (enum cgroup_layout layout)
{
  switch (layout)
    {
    case CGROUP_LAYOUT_UNIFIED:
      return "unified";
    case CGROUP_LAYOUT_LEGACY:
      return "legacy";
    case CGROUP_LAYOUT_HYBRID:
      return "hybrid";
    }
  return "?";
}

const char *
cgroup_v2_mountpoint (void)
{
  switch (cgroup_layout ())
    {
    case CGROUP_LAYOUT_UNIFIED:
      return CGROUP_ROOT;
    case CGROUP_LAYOUT_HYBRID:
      return CGROUP_UNIFIED_HYBRID;
    case CGROUP_LAYOUT_LEGACY:
      break;
    }
  return NULL;
}

/* Our own cgroup: the "0::" line of /proc/self/cgroup on v2, else the
 * memory (or first) hierarchy's line. */
static char *
own_cgroup (tr_error_t *err)
{
  cleanup_free char *buf = read_file_at (AT_FDCWD, "/proc/self/cgroup", NULL, err);
  if (buf == NULL)
    return NULL;
  const char *want = cgroup_layout () == CGROUP_LAYOUT_UNIFIED ? "" : "memory";
  char *save = NULL, *fallback = NULL;
  for (char *line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *ctrl = strchr (line, ':');
      char *path = ctrl ? strchr (ctrl + 1, ':') : NULL;
      if (path == NULL)
        continue;
      *path++ = '\0';
      ctrl++;
      if (strcmp (ctrl, want) == 0)
        return strdup (path);
      if (fallback == NULL && ctrl[0] != '\0')
        fallback = path;
    }
  return strdup (fallback ? fallback : "/");
}

char *
cgroup_resolve_path (const char *cgroups_path, const char *id, tr_error_t *err)
{
  char *out = NULL;
  if (cgroups_path == NULL || cgroups_path[0] == '\0')
    {
      if (asprintf (&out, "/tinyrun/%s", id) < 0)
        out = NULL;
    }
  else if (cgroups_path[0] == '/')
    out = strdup (cgroups_path);
  else
    {
      cleanup_free char *own = own_cgroup (err);
      if (own == NULL)
        return NULL;
      out = path_join (own, cgroups_path);
    }
  if (out == NULL)
    {
      tr_error (err, ENOMEM, "linux.cgroupsPath");
      return NULL;
    }
  /* ".." could climb out of the subtree tinyrun may touch. */
  for (const char *p = out; (p = strstr (p, "..")) != NULL; p += 2)
    if ((p == out || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
      {
        free (out);
        tr_error_plain (err, EINVAL, "linux.cgroupsPath: \"%s\" must not contain \"..\"", cgroups_path);
        return NULL;
      }
  size_t len = strlen (out);
  while (len > 1 && out[len - 1] == '/')
    out[--len] = '\0';
  if (strcmp (out, "/") == 0)
    {
      free (out);
      tr_error_plain (err, EINVAL, "linux.cgroupsPath: the root cgroup cannot hold a container");
      return NULL;
    }
  return out;
}

static bool
uses_v1 (void)
{
  return cgroup_layout () != CGROUP_LAYOUT_UNIFIED;
}

int
cgroup_create (const char *path, const struct spec_resources *res, int *clone_fd, tr_error_t *err)
{
  *clone_fd = -1;
  if (uses_v1 () && cgroup_v1_create (path, err) < 0)
    return -1;
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2 && cgroup_v2_create (v2, path, cgroup_layout () == CGROUP_LAYOUT_UNIFIED ? res : NULL, clone_fd, err) < 0)
    {
      tr_error_t ignored = NULL;
      if (uses_v1 ())
        cgroup_v1_destroy (path, &ignored);
      tr_error_free (&ignored);
      return -1;
    }
  if (uses_v1 () && res && cgroup_v1_apply (path, res, false, err) < 0)
    {
      tr_error_t ignored = NULL;
      cgroup_destroy (path, &ignored);
      tr_error_free (&ignored);
      if (*clone_fd >= 0)
        close (steal_fd (clone_fd));
      return -1;
    }
  return 0;
}

int
cgroup_enter (const char *path, pid_t pid, tr_error_t *err)
{
  if (uses_v1 () && cgroup_v1_enter (path, pid, err) < 0)
    return -1;
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2 && cgroup_v2_enter (v2, path, pid, err) < 0)
    return -1;
  return 0;
}

int
cgroup_update (const char *path, const struct spec_resources *res, tr_error_t *err)
{
  if (uses_v1 ())
    return cgroup_v1_apply (path, res, true, err);
  return cgroup_v2_apply_path (cgroup_v2_mountpoint (), path, res, true, err);
}

int
cgroup_pids (const char *path, pid_t **pids, size_t *n, tr_error_t *err)
{
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2)
    return cgroup_v2_pids (v2, path, pids, n, err);
  return cgroup_v1_pids (path, pids, n, err);
}

int
cgroup_signal_all (const char *path, int sig, tr_error_t *err)
{
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2)
    return cgroup_v2_signal_all (v2, path, sig, err);
  return cgroup_v1_signal_all (path, sig, err);
}

int
cgroup_freeze (const char *path, bool frozen, tr_error_t *err)
{
  if (uses_v1 ())
    return cgroup_v1_freeze (path, frozen, err);
  return cgroup_v2_freeze (cgroup_v2_mountpoint (), path, frozen, err);
}

bool
cgroup_is_frozen (const char *path)
{
  if (path == NULL || path[0] == '\0')
    return false;
  if (uses_v1 ())
    return cgroup_v1_is_frozen (path);
  return cgroup_v2_is_frozen (cgroup_v2_mountpoint (), path);
}

int
cgroup_destroy (const char *path, tr_error_t *err)
{
  int ret = 0;
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2 && cgroup_v2_destroy (v2, path, err) < 0)
    ret = -1;
  if (uses_v1 ())
    {
      tr_error_t e1 = NULL;
      if (cgroup_v1_destroy (path, &e1) < 0)
        {
          if (ret == 0)
            {
              tr_error_free (err);
              *err = steal_ptr (&e1);
            }
          ret = -1;
        }
      tr_error_free (&e1);
    }
  return ret;
}

int
cgroup_stats (const char *path, struct container_stats *out, tr_error_t *err)
{
  if (uses_v1 ())
    return cgroup_v1_stats (path, out, err);
  return cgroup_v2_stats (cgroup_v2_mountpoint (), path, out, err);
}

int
cgroup_oom_kills (const char *path, uint64_t *count, tr_error_t *err)
{
  if (uses_v1 ())
    return cgroup_v1_oom_kills (path, count, err);
  return cgroup_v2_oom_kills (cgroup_v2_mountpoint (), path, count, err);
}

/* The directory of path in one hierarchy that always exists on this
 * layout: the cgroup2 mount, else the first v1 hierarchy. */
static bool
exists_in_reference (const char *path)
{
  const char *mnt = cgroup_v2_mountpoint ();
  const struct v1_hierarchy *h;
  size_t n;
  if (cgroup_layout () != CGROUP_LAYOUT_UNIFIED && v1_hierarchies (&h, &n, NULL) == 0 && n > 0)
    mnt = h[0].mountpoint;
  if (mnt == NULL)
    return false;
  cleanup_free char *full = path_join (mnt, path);
  struct stat st;
  return full && stat (full, &st) == 0;
}

char *
cgroup_missing_top (const char *path)
{
  cleanup_free char *prefix = strdup (path);
  if (prefix == NULL)
    return NULL;
  for (char *p = prefix + 1;; p++)
    {
      if (*p != '/' && *p != '\0')
        continue;
      char saved = *p;
      *p = '\0';
      if (!exists_in_reference (prefix))
        return strdup (prefix);
      if (saved == '\0')
        return NULL;
      *p = saved;
    }
}

static void
rmdir_in_every_hierarchy (const char *path)
{
  const char *mnt = cgroup_v2_mountpoint ();
  if (mnt)
    {
      cleanup_free char *full = path_join (mnt, path);
      if (full)
        rmdir (full);
    }
  const struct v1_hierarchy *h;
  size_t n;
  if (cgroup_layout () == CGROUP_LAYOUT_UNIFIED || v1_hierarchies (&h, &n, NULL) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *full = path_join (h[i].mountpoint, path);
      if (full)
        rmdir (full);
    }
}

void
cgroup_remove_parents (const char *path, const char *top)
{
  if (top == NULL || top[0] == '\0')
    return;
  size_t top_len = strlen (top);
  cleanup_free char *p = strdup (path);
  for (char *slash; p && (slash = strrchr (p, '/')) != NULL && slash != p;)
    {
      *slash = '\0';
      if (strlen (p) < top_len || strncmp (p, top, top_len) != 0)
        break;
      rmdir_in_every_hierarchy (p);
    }
}
