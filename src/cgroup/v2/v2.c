/* cgroup v2: one directory in the unified hierarchy. */
#include "config.h"
#include "cgroup/root_fd.h"
#include "cgroup/internal.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int
open_cgroup (const char *mnt, const char *path, int flags, tr_error_t *err)
{
  cleanup_free char *full = path_join (mnt, path);
  if (full == NULL)
    return tr_error (err, ENOMEM, "cgroup %s", path);
  int fd = cgroupfs_open (full, flags | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open cgroup %s", full);
  return fd;
}

/* Is the word name in the space-separated list? */
static bool
listed (const char *list, const char *name)
{
  size_t len = strlen (name);
  for (const char *p = strstr (list, name); p; p = strstr (p + 1, name))
    if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || p[len] == '\0'))
      return true;
  return false;
}

/* Enable in dirfd's cgroup.subtree_control every controller it has and
 * lacks: a level already enabled (the parents of a cgroup delegated to
 * an ordinary user) is not written to. */
static int
enable_controllers (int dirfd, const char *where, tr_error_t *err)
{
  cleanup_free char *avail = read_file_at (dirfd, "cgroup.controllers", NULL, err);
  if (avail == NULL)
    return -1;
  cleanup_free char *enabled = read_file_at (dirfd, "cgroup.subtree_control", NULL, err);
  if (enabled == NULL)
    return -1;
  char request[512] = "";
  size_t used = 0;
  char *save = NULL;
  for (char *c = strtok_r (avail, " \n", &save); c; c = strtok_r (NULL, " \n", &save))
    if (!listed (enabled, c))
      used += (size_t) snprintf (request + used, sizeof request - used, "%s+%s", used ? " " : "", c);
  if (used == 0)
    return 0;
  if (write_file_at (dirfd, "cgroup.subtree_control", request, err) < 0)
    return tr_error_wrap (err, "enable controllers in %s", where);
  return 0;
}

/* On failure, the levels this call made are removed again (they hold no
 * process yet); *existing is as for cgroup_make_levels. */
int
cgroup_v2_create (const char *mnt, const char *path, const struct spec_resources *res, int *clone_fd,
                  size_t *existing, tr_error_t *err)
{
  /* Controllers are enabled in each parent on the way down, so the leaf
   * gets them all.  A concurrent delete may remove the shared parent
   * between our mkdirs: try once more. */
  if (cgroup_make_levels (mnt, path, enable_controllers, NULL, existing, err) < 0)
    {
      cgroup_remove_levels (mnt, path, *existing);
      if ((*err)->status != ENOENT)
        return -1;
      tr_error_free (err);
      if (cgroup_make_levels (mnt, path, enable_controllers, NULL, existing, err) < 0)
        {
          cgroup_remove_levels (mnt, path, *existing);
          return -1;
        }
    }
  cleanup_close int dirfd = open_cgroup (mnt, path, O_RDONLY, err);
  if (dirfd < 0 || (res && cgroup_v2_apply (dirfd, res, false, err) < 0))
    {
      cgroup_remove_levels (mnt, path, *existing);
      return -1;
    }
  *clone_fd = steal_fd (&dirfd);
  return 0;
}

int
cgroup_v2_enter (const char *mnt, const char *path, pid_t pid, tr_error_t *err)
{
  cleanup_close int dirfd = open_cgroup (mnt, path, O_RDONLY, err);
  if (dirfd < 0)
    return -1;
  char buf[32];
  snprintf (buf, sizeof buf, "%d", pid);
  if (write_file_at (dirfd, "cgroup.procs", buf, err) < 0)
    return tr_error_wrap (err, "cgroup %s", path);
  return 0;
}

int
cgroup_v2_apply_path (const char *mnt, const char *path, const struct spec_resources *res, bool update,
                      tr_error_t *err)
{
  cleanup_close int dirfd = open_cgroup (mnt, path, O_RDONLY, err);
  if (dirfd < 0)
    return -1;
  return cgroup_v2_apply (dirfd, res, update, err);
}

int
cgroup_v2_pids (const char *mnt, const char *path, pid_t **pids, size_t *n, tr_error_t *err)
{
  *pids = NULL;
  *n = 0;
  cleanup_close int dirfd = open_cgroup (mnt, path, O_RDONLY, err);
  if (dirfd < 0)
    return -1;
  return cgroup_read_pids_recursive (dirfd, "cgroup.procs", pids, n, err);
}

int
cgroup_v2_signal_all (const char *mnt, const char *path, int sig, tr_error_t *err)
{
  cleanup_close int dirfd = open_cgroup (mnt, path, O_RDONLY, err);
  if (dirfd < 0)
    return -1;
  /* cgroup.kill (5.14+) kills the whole subtree atomically, even
   * processes forking as we go. */
  if (sig == SIGKILL && faccessat (dirfd, "cgroup.kill", W_OK, 0) == 0)
    return write_file_at (dirfd, "cgroup.kill", "1", err);
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  if (cgroup_read_pids_recursive (dirfd, "cgroup.procs", &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      return tr_error (err, errno, "kill %d", pids[i]);
  return 0;
}

/* cgroup.events says "frozen 1" once every task has stopped. */
static bool
events_frozen (int dirfd)
{
  cleanup_free char *ev = read_file_at (dirfd, "cgroup.events", NULL, NULL);
  return ev && strstr (ev, "frozen 1") != NULL;
}

int
cgroup_v2_freeze (const char *mnt, const char *path, bool frozen, tr_error_t *err)
{
  cleanup_close int dirfd = open_cgroup (mnt, path, O_RDONLY, err);
  if (dirfd < 0)
    return -1;
  if (write_file_at (dirfd, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return tr_error_wrap (err, "cgroup %s", path);
  for (int i = 0; frozen && i < 1000 && !events_frozen (dirfd); i++)
    {
      struct timespec ts = { 0, 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
  return 0;
}

bool
cgroup_v2_is_frozen (const char *mnt, const char *path)
{
  int dirfd = open_cgroup (mnt, path, O_RDONLY, NULL);
  if (dirfd < 0)
    return false;
  cleanup_free char *v = read_file_at (dirfd, "cgroup.freeze", NULL, NULL);
  close (dirfd);
  return v && v[0] == '1';
}

int
cgroup_v2_destroy (const char *mnt, const char *path, bool remove, tr_error_t *err)
{
  cleanup_free char *full = path_join (mnt, path);
  if (full == NULL)
    return tr_error (err, ENOMEM, "cgroup %s", path);
  struct stat st;
  if (cgroupfs_stat (full, &st) < 0 && errno == ENOENT)
    return 0;
  /* A frozen cgroup would keep killed processes from ever exiting. */
  tr_error_t ignored = NULL;
  if (cgroup_v2_is_frozen (mnt, path))
    cgroup_v2_freeze (mnt, path, false, &ignored);
  if (cgroup_v2_signal_all (mnt, path, SIGKILL, &ignored) < 0)
    tr_error_ignore (&ignored, "kill remaining processes");
  tr_error_free (&ignored);
  return remove ? cgroup_rmdir_tree (full, err) : 0;
}
