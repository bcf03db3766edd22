/* Layout detection, path resolution and dispatch to the v1/v2/systemd
 * drivers. */
#include "config.h"
#include "cgroup/root_fd.h"
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "cgroup/v1/hierarchies.h"
#include "linux/rootless.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"

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
  if (cgroupfs_statfs (CGROUP_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    detected_layout = CGROUP_LAYOUT_UNIFIED;
  else if (cgroupfs_statfs (CGROUP_UNIFIED_HYBRID, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
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

char *
cgroup_resolve (enum cgroup_manager m, const char *cgroups_path, const char *id, tr_error_t *err)
{
  if (m == CGROUP_MANAGER_SYSTEMD)
    return cgroup_systemd_resolve (cgroups_path, id, err);
  return cgroup_resolve_path (cgroups_path, id, err);
}

static bool
uses_v1 (void)
{
  return cgroup_layout () != CGROUP_LAYOUT_UNIFIED;
}

/* pids in path below mnt and its descendants; 0 when it does not exist. */
static size_t
processes_in (const char *mnt, const char *path)
{
  cleanup_free char *full = path_join (mnt, path);
  cleanup_close int fd = full ? cgroupfs_open (full, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  if (fd >= 0)
    {
      cleanup_error tr_error_t ignored = NULL;
      cgroup_read_pids_recursive (fd, "cgroup.procs", &pids, &n, &ignored);
    }
  return n;
}

/* An existing cgroup may be used only while it is empty, as runc rules:
 * one that holds processes belongs to someone else, and the container's
 * delete would kill them. */
static int
refuse_occupied (const char *path, tr_error_t *err)
{
  size_t n = 0;
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2)
    n = processes_in (v2, path);
  const struct v1_hierarchy *h;
  size_t nh;
  if (uses_v1 () && v1_hierarchies (&h, &nh, NULL) == 0)
    for (size_t i = 0; i < nh && n == 0; i++)
      n = processes_in (h[i].mountpoint, path);
  if (n > 0)
    return tr_error_plain (err, EBUSY, "linux.cgroupsPath: cgroup %s is not empty: %zu process(es) found", path, n);
  return 0;
}

/* An existing cgroup that is frozen (v1 freezer.state FROZEN, v2
 * cgroup.freeze 1) would hold the init stopped forever: refused, as runc
 * refuses it ("container's cgroup unexpectedly frozen"). */
static int
refuse_frozen (const char *path, tr_error_t *err)
{
  const char *v2 = cgroup_v2_mountpoint ();
  bool frozen = (uses_v1 () && cgroup_v1_is_frozen (path)) || (v2 && cgroup_v2_is_frozen (v2, path));
  if (frozen)
    return tr_error_plain (err, EBUSY, "linux.cgroupsPath: cgroup %s is frozen", path);
  return 0;
}

/* Remove the levels of path deeper than keep (made by cgroup_create, still
 * without processes) in every hierarchy. */
static void
remove_new_levels (const char *path, size_t keep)
{
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2)
    cgroup_remove_levels (v2, path, keep);
  if (uses_v1 ())
    cgroup_v1_remove_levels (path, keep);
}

/* The prefix of path with `depth` components. */
static char *
prefix_of (const char *path, size_t depth)
{
  const char *p = path;
  for (size_t i = 0; i < depth; i++)
    {
      while (*p == '/')
        p++;
      p = strchrnul (p, '/');
    }
  return strndup (path, (size_t) (p - path));
}

int
cgroup_create (enum cgroup_manager m, const char *path, const struct spec_resources *res, bool seen_missing,
               int *clone_fd, char **top, tr_error_t *err)
{
  *clone_fd = -1;
  *top = NULL;
  if (m == CGROUP_MANAGER_SYSTEMD)
    return cgroup_systemd_create (path, err);
  if (!seen_missing && (refuse_occupied (path, err) < 0 || refuse_frozen (path, err) < 0))
    return -1;
  size_t v1_existing = 0, v2_existing = 0;
  if (uses_v1 () && cgroup_v1_create (path, &v1_existing, err) < 0)
    return -1;
  const char *v2 = cgroup_v2_mountpoint ();
  const struct spec_resources *v2_res = cgroup_layout () == CGROUP_LAYOUT_UNIFIED ? res : NULL;
  if (v2 && cgroup_v2_create (v2, path, v2_res, clone_fd, &v2_existing, err) < 0)
    {
      if (uses_v1 ())
        cgroup_v1_remove_levels (path, v1_existing);
      return -1;
    }
  /* Below `keep`, every hierarchy's levels are tinyrun's. */
  size_t keep = v1_existing > v2_existing ? v1_existing : v2_existing;
  if (keep < cgroup_depth (path) && (*top = prefix_of (path, keep + 1)) == NULL)
    tr_error (err, ENOMEM, "cgroup %s", path);
  else if (!uses_v1 () || res == NULL || cgroup_v1_apply (path, res, false, err) == 0)
    return 0;
  free (steal_ptr (top));
  if (*clone_fd >= 0)
    close (steal_fd (clone_fd));
  remove_new_levels (path, keep);
  return -1;
}

/* Anything in res that only a cgroup can enforce. */
static bool
asks_for_limits (const struct spec_resources *res)
{
  if (res == NULL)
    return false;
  return res->memory || res->cpu || res->pids_limit.set || res->block_io || res->n_hugepage_limits || res->network
         || res->n_rdma || res->unified.n;
}

int
cgroup_rootless_fallback (enum cgroup_manager m, const struct spec_resources *res, tr_error_t *err)
{
  int e = *err ? (*err)->status : 0;
  if (!rootless () || m != CGROUP_MANAGER_CGROUPFS || (e != EACCES && e != EPERM && e != EROFS))
    return -1;
  if (asks_for_limits (res))
    return tr_error_wrap (err, "rootless: linux.resources need a cgroup delegated to uid %u (a writable cgroup2 "
                               "subtree as linux.cgroupsPath, or --systemd-cgroup in a user session)",
                          (unsigned) geteuid ());
  log_warning ("rootless: running without a cgroup (%s)", (*err)->msg);
  tr_error_free (err);
  return 0;
}

/* How many leading levels of path exist below mnt, when more than
 * `known` (else `known`: the levels up to it are not looked at). */
static size_t
existing_levels (const char *mnt, const char *path, size_t known)
{
  for (size_t d = cgroup_depth (path); d > known; d--)
    {
      cleanup_free char *prefix = prefix_of (path, d);
      cleanup_free char *full = prefix ? path_join (mnt, prefix) : NULL;
      struct stat st;
      if (full && cgroupfs_stat (full, &st) == 0 && S_ISDIR (st.st_mode))
        return d;
    }
  return known;
}

char *
cgroup_planned_top (const char *path, bool *missing)
{
  size_t keep = 0;
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2)
    keep = existing_levels (v2, path, 0);
  const struct v1_hierarchy *h;
  size_t nh;
  /* The most levels in any hierarchy: each one after the first is only
   * asked about the levels below those already seen. */
  if (uses_v1 () && v1_hierarchies (&h, &nh, NULL) == 0)
    for (size_t i = 0; i < nh; i++)
      keep = existing_levels (h[i].mountpoint, path, keep);
  *missing = keep < cgroup_depth (path);
  return *missing ? prefix_of (path, keep + 1) : strdup ("");
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
cgroup_join_open (enum cgroup_manager m, const char *path, struct cgroup_join *j, tr_error_t *err)
{
  j->n = 0;
  if (m == CGROUP_MANAGER_SYSTEMD || !uses_v1 ())
    return 0;
  return cgroup_v1_open_join (path, j, err);
}

int
cgroup_enter_v2 (const char *path, pid_t pid, tr_error_t *err)
{
  const char *v2 = cgroup_v2_mountpoint ();
  return v2 ? cgroup_v2_enter (v2, path, pid, err) : 0;
}

int
cgroup_enter_systemd (const char *path, pid_t pid, tr_error_t *err)
{
  if (cgroup_enter (path, pid, err) == 0)
    return 0;
  int e = (*err)->status;
  if (!rootless () || (e != EACCES && e != EPERM))
    return -1;
  log_debug ("%s; asking systemd", (*err)->msg);
  tr_error_free (err);
  return cgroup_systemd_attach (path, pid, err);
}

int
cgroup_enter_init (enum cgroup_manager m, const char *path, const struct spec_resources *res, pid_t pid,
                   tr_error_t *err)
{
  if (m == CGROUP_MANAGER_SYSTEMD)
    return cgroup_systemd_enter (path, res, pid, err);
  return cgroup_enter (path, pid, err);
}

int
cgroup_update (enum cgroup_manager m, const char *path, const struct spec_resources *res, tr_error_t *err)
{
  if (m == CGROUP_MANAGER_SYSTEMD)
    return cgroup_systemd_update (path, res, err);
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

char *
cgroup_freezer_dir (const char *path)
{
  if (path == NULL || path[0] == '\0')
    return NULL;
  if (uses_v1 ())
    {
      const struct v1_hierarchy *f = v1_find ("freezer");
      return f ? path_join (f->mountpoint, path) : NULL;
    }
  const char *v2 = cgroup_v2_mountpoint ();
  return v2 ? path_join (v2, path) : NULL;
}

/* How many leading levels of path delete keeps: those above top, or all
 * of them when top is not one of path's levels. */
static size_t
levels_to_keep (const char *path, const char *top)
{
  size_t depth = cgroup_depth (path);
  if (top == NULL || top[0] != '/')
    return depth;
  size_t len = strlen (top);
  if (strncmp (path, top, len) != 0 || (path[len] != '/' && path[len] != '\0'))
    return depth;
  size_t top_depth = cgroup_depth (top);
  return top_depth == 0 ? depth : top_depth - 1;
}

int
cgroup_destroy (enum cgroup_manager m, const char *path, const char *top, tr_error_t *err)
{
  if (m == CGROUP_MANAGER_SYSTEMD)
    return cgroup_systemd_destroy (path, err);
  size_t keep = levels_to_keep (path, top);
  bool remove = keep < cgroup_depth (path);
  int ret = 0;
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2 && cgroup_v2_destroy (v2, path, remove, err) < 0)
    ret = -1;
  if (uses_v1 ())
    {
      tr_error_t e1 = NULL;
      if (cgroup_v1_destroy (path, remove, &e1) < 0)
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
  /* The parents go too when empty, down to top: a parent still in use by
   * another container stays (EBUSY).  The leaf itself is gone already. */
  size_t depth = cgroup_depth (path);
  if (ret == 0 && remove && depth - 1 > keep)
    {
      cleanup_free char *parent = prefix_of (path, depth - 1);
      if (parent)
        remove_new_levels (parent, keep);
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
