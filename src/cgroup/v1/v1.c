/* cgroup v1: the same relative directory in every mounted hierarchy. */
#include "config.h"
#include "cgroup/root_fd.h"
#include "cgroup/internal.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A new cpuset cgroup starts with empty cpus and mems (unless its parent
 * has cgroup.clone_children), and a task cannot join it until both are
 * set: copy them from the parent on the way down, into every level made
 * now and into any older one left empty. */
static int
init_cpuset_level (int parentfd, int levelfd, bool made, tr_error_t *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  for (size_t i = 0; i < 2; i++)
    {
      if (!made)
        {
          cleanup_free char *mine = read_file_at (levelfd, files[i], NULL, NULL);
          if (mine && mine[0] != '\n' && mine[0] != '\0')
            continue;
        }
      cleanup_free char *parent = read_file_at (parentfd, files[i], NULL, err);
      if (parent == NULL || write_file_at (levelfd, files[i], parent, err) < 0)
        return tr_error_wrap (err, "cpuset");
    }
  return 0;
}

/* *reached receives how many hierarchies were touched (all of them, or up
 * to and including the one that failed). */
static int
create_in (const struct v1_hierarchy *h, size_t n, const char *path, size_t *existing, size_t *reached,
           tr_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t here = 0;
      cgroup_level_made_fn after = v1_has_controller (&h[i], "cpuset") ? init_cpuset_level : NULL;
      int r = cgroup_make_levels (h[i].mountpoint, path, NULL, after, &here, err);
      if (here > *existing)
        *existing = here;
      if (r < 0)
        {
          *reached = i + 1;
          return -1;
        }
    }
  *reached = n;
  return 0;
}

static void
remove_levels_in (const struct v1_hierarchy *h, size_t n, const char *path, size_t keep)
{
  for (size_t i = 0; i < n; i++)
    cgroup_remove_levels (h[i].mountpoint, path, keep);
}

/* *existing receives the most levels of path that were there before in
 * any hierarchy: the levels below it are tinyrun's in every hierarchy.  On
 * failure those are removed again (they hold no process yet). */
int
cgroup_v1_create (const char *path, size_t *existing, tr_error_t *err)
{
  const struct v1_hierarchy *h;
  size_t n;
  *existing = 0;
  if (v1_hierarchies (&h, &n, err) < 0)
    return -1;
  size_t reached = 0;
  if (create_in (h, n, path, existing, &reached, err) == 0)
    return 0;
  remove_levels_in (h, reached, path, *existing);
  return -1;
}

void
cgroup_v1_remove_levels (const char *path, size_t keep)
{
  const struct v1_hierarchy *h;
  size_t n;
  if (v1_hierarchies (&h, &n, NULL) == 0)
    remove_levels_in (h, n, path, keep);
}

int
cgroup_v1_enter (const char *path, pid_t pid, tr_error_t *err)
{
  const struct v1_hierarchy *h;
  size_t n;
  if (v1_hierarchies (&h, &n, err) < 0)
    return -1;
  char buf[32];
  snprintf (buf, sizeof buf, "%d", pid);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *dir = path_join (h[i].mountpoint, path);
      cleanup_close int fd = dir ? cgroupfs_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
      if (fd < 0)
        return tr_error (err, errno, "open cgroup %s", dir ? dir : path);
      if (write_file_at (fd, "cgroup.procs", buf, err) < 0)
        return tr_error_wrap (err, "cgroup %s", dir);
    }
  return 0;
}

int
cgroup_v1_open_join (const char *path, struct cgroup_join *j, tr_error_t *err)
{
  const struct v1_hierarchy *h;
  size_t n;
  j->n = 0;
  if (v1_hierarchies (&h, &n, err) < 0)
    return -1;
  if (n > CGROUP_JOIN_MAX)
    return 0;
  for (size_t i = 0; i < n; i++)
    {
      char *dir = path_join (h[i].mountpoint, path);
      cleanup_free char *tasks = dir ? path_join (dir, "tasks") : NULL;
      int fd = tasks ? cgroupfs_open (tasks, O_WRONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
      if (fd < 0)
        {
          int e = tasks ? errno : ENOMEM;
          free (dir);
          cgroup_join_clear (j);
          return tr_error (err, e, "open cgroup %s", tasks ? tasks : path);
        }
      j->fds[j->n] = fd;
      j->dirs[j->n++] = dir;
    }
  return 0;
}

/* The hierarchy used to list processes: pids, else memory, else the first. */
static const char *
listing_mountpoint (tr_error_t *err)
{
  const struct v1_hierarchy *h;
  size_t n;
  if (v1_hierarchies (&h, &n, err) < 0)
    return NULL;
  const struct v1_hierarchy *found = v1_find ("pids");
  if (found == NULL)
    found = v1_find ("memory");
  if (found == NULL && n > 0)
    found = &h[0];
  if (found == NULL)
    tr_error_plain (err, ENOENT, "no cgroup v1 hierarchy is mounted");
  return found ? found->mountpoint : NULL;
}

int
cgroup_v1_pids (const char *path, pid_t **pids, size_t *n, tr_error_t *err)
{
  *pids = NULL;
  *n = 0;
  const char *mnt = listing_mountpoint (err);
  if (mnt == NULL)
    return -1;
  cleanup_free char *dir = path_join (mnt, path);
  cleanup_close int fd = dir ? cgroupfs_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (fd < 0)
    return tr_error (err, errno, "open cgroup %s", dir ? dir : path);
  return cgroup_read_pids_recursive (fd, "cgroup.procs", pids, n, err);
}

int
cgroup_v1_signal_all (const char *path, int sig, tr_error_t *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  if (cgroup_v1_pids (path, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      return tr_error (err, errno, "kill %d", pids[i]);
  return 0;
}

static int
open_freezer (const char *path, tr_error_t *err)
{
  const struct v1_hierarchy *f = v1_find ("freezer");
  if (f == NULL)
    return tr_error_plain (err, ENOTSUP, "the freezer cgroup controller is not mounted");
  cleanup_free char *dir = path_join (f->mountpoint, path);
  int fd = dir ? cgroupfs_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (fd < 0)
    return tr_error (err, errno, "open cgroup %s", dir ? dir : path);
  return fd;
}

int
cgroup_v1_freeze (const char *path, bool frozen, tr_error_t *err)
{
  cleanup_close int fd = open_freezer (path, err);
  if (fd < 0)
    return -1;
  const char *want = frozen ? "FROZEN" : "THAWED";
  /* The kernel answers FREEZING until every task has stopped; write again
   * until it settles (the documented way to wait). */
  for (int i = 0; i < 1000; i++)
    {
      if (write_file_at (fd, "freezer.state", want, err) < 0)
        return tr_error_wrap (err, "cgroup %s", path);
      cleanup_free char *state = read_file_at (fd, "freezer.state", NULL, err);
      if (state == NULL)
        return -1;
      if (strncmp (state, want, strlen (want)) == 0)
        return 0;
      struct timespec ts = { 0, 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
  return tr_error_plain (err, EBUSY, "cgroup %s: freezer did not reach %s", path, want);
}

bool
cgroup_v1_is_frozen (const char *path)
{
  int fd = open_freezer (path, NULL);
  if (fd < 0)
    return false;
  cleanup_free char *state = read_file_at (fd, "freezer.state", NULL, NULL);
  close (fd);
  return state && strncmp (state, "FROZEN", 6) == 0;
}

/* The common case once the container's processes are gone: an rmdir in
 * every hierarchy and nothing else (v1 refuses it while a task is in the
 * cgroup, EBUSY, or a child cgroup is, ENOTEMPTY).  False at the first
 * that cannot go: the caller thaws, kills and removes the rest. */
static bool
remove_if_empty (const struct v1_hierarchy *h, size_t n, const char *path)
{
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *dir = path_join (h[i].mountpoint, path);
      if (dir == NULL || (cgroupfs_rmdir (dir) < 0 && errno != ENOENT))
        return false;
    }
  return true;
}

int
cgroup_v1_destroy (const char *path, bool remove, tr_error_t *err)
{
  const struct v1_hierarchy *h;
  size_t n;
  if (v1_hierarchies (&h, &n, err) < 0)
    return -1;
  if (remove && remove_if_empty (h, n, path))
    return 0;
  tr_error_t ignored = NULL;
  if (cgroup_v1_is_frozen (path))
    cgroup_v1_freeze (path, false, &ignored);
  tr_error_free (&ignored);
  /* v1 has no cgroup.kill: signal until the listing is empty. */
  for (int round = 0; round < 100; round++)
    {
      cleanup_free pid_t *pids = NULL;
      size_t np = 0;
      if (cgroup_v1_pids (path, &pids, &np, &ignored) < 0 || np == 0)
        break;
      for (size_t i = 0; i < np; i++)
        kill (pids[i], SIGKILL);
      struct timespec ts = { 0, 5 * 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
  tr_error_free (&ignored);
  int ret = 0;
  for (size_t i = 0; remove && i < n; i++)
    {
      cleanup_free char *dir = path_join (h[i].mountpoint, path);
      if (dir == NULL || cgroup_rmdir_tree (dir, ret == 0 ? err : &ignored) < 0)
        ret = -1;
      tr_error_free (&ignored);
    }
  return ret;
}
