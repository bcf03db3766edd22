#include "config.h"
#include "util/rfc3339.h"
#include "container/state.h"
#include "container/lock.h"
#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "linux/procfs.h"
#include "linux/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
state_set_rootless (const char *value, tr_error_t *err)
{
  return rootless_set (value, err);
}

static bool
honor_xdg_runtime_dir (void)
{
  if (geteuid () != 0)
    return true;
  const char *user = getenv ("USER");
  return rootless_in_user_ns () && (user == NULL || strcmp (user, "root") != 0);
}

const char *
state_default_root (void)
{
  static char buf[4096];
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  if (xdg == NULL || xdg[0] == '\0' || !honor_xdg_runtime_dir ())
    return TINYRUN_DEFAULT_ROOT;
  int n = snprintf (buf, sizeof buf, "%s/tinyrun", xdg);
  if (n < 0 || (size_t) n >= sizeof buf)
    return TINYRUN_DEFAULT_ROOT;
  return buf;
}

int
container_id_validate (const char *id, tr_error_t *err)
{
  size_t len = strlen (id);
  if (len == 0)
    return tr_error_plain (err, EINVAL, "container id must not be empty");
  if (len > 1024)
    return tr_error_plain (err, EINVAL, "container id is longer than 1024 bytes");
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return tr_error_plain (err, EINVAL, "invalid container id \"%s\"", id);
  char shown[TR_ECHO_SIZE];
  for (const char *p = id; *p; p++)
    {
      char c = *p;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
            || c == '.' || c == '+'))
        return tr_error_plain (err, EINVAL, "invalid container id \"%s\": only [A-Za-z0-9_+.-] are allowed",
                               tr_echo (id, shown));
    }
  return 0;
}

/* Still the directory named id below root (not removed or replaced)? */
static bool
still_named (int rootfd, const char *id, int fd)
{
  struct stat a, b;
  if (fstat (fd, &a) < 0 || a.st_nlink == 0 || fstatat (rootfd, id, &b, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
state_dir_create (const char *root, const char *id, tr_error_t *err)
{
  /* The root is there but for the first container. */
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0 && errno == ENOENT)
    {
      if (mkdir_p (root, 0700, err) < 0)
        return tr_error_wrap (err, "state root");
      rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
  if (rootfd < 0)
    return tr_error (err, errno, "open %s", root);
  if (mkdirat (rootfd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return tr_error_plain (err, EEXIST, "container \"%s\" already exists", id);
      return tr_error (err, errno, "mkdir %s/%s", root, id);
    }
  cleanup_close int fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s/%s", root, id);
  if (state_lock (fd, id, err) < 0)
    return -1;
  /* A `delete --force` may have taken the still empty directory for the
   * remains of a dead create and removed it before we locked it. */
  if (!still_named (rootfd, id, fd))
    return tr_error_plain (err, EAGAIN, "container \"%s\": its directory was removed while being created", id);
  return steal_fd (&fd);
}

int
state_dir_open (const char *root, const char *id, bool lock, tr_error_t *err)
{
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0 && errno != ENOENT)
    return tr_error (err, errno, "open %s", root);
  cleanup_close int fd = rootfd < 0 ? -1 : openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (rootfd < 0 || errno == ENOENT)
        return tr_error_plain (err, ENOENT, "container \"%s\" does not exist", id);
      return tr_error (err, errno, "open %s/%s", root, id);
    }
  if (lock && state_lock (fd, id, err) < 0)
    return -1;
  /* Removed by the delete that held the lock before us. */
  if (lock && !still_named (rootfd, id, fd))
    return tr_error_plain (err, ENOENT, "container \"%s\" does not exist", id);
  return steal_fd (&fd);
}

int
state_dir_remove (const char *root, const char *id, int fd, tr_error_t *err)
{
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return errno == ENOENT ? 0 : tr_error (err, errno, "open %s", root);
  cleanup_dir DIR *d = fdopendir (dup (fd));
  if (d == NULL)
    return tr_error (err, errno, "read %s/%s", root, id);
  rewinddir (d);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      /* A directory in place of a file (a damaged state.json) goes too,
       * when empty. */
      if (unlinkat (fd, de->d_name, 0) < 0 && errno != ENOENT
          && !(errno == EISDIR && unlinkat (fd, de->d_name, AT_REMOVEDIR) == 0))
        return tr_error (err, errno, "remove %s/%s/%s", root, id, de->d_name);
    }
  /* By name, but only while the name is still this directory. */
  if (still_named (rootfd, id, fd) && unlinkat (rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return tr_error (err, errno, "remove %s/%s", root, id);
  return 0;
}

int
state_save (int dirfd, const struct container_state *st, tr_error_t *err)
{
  size_t len;
  cleanup_free char *json = state_json_encode (st, &len, err);
  if (json == NULL)
    return -1;
  if (write_file_atomic_at (dirfd, STATE_FILE, json, len, 0600, err) < 0)
    return tr_error_wrap (err, "save state");
  return 0;
}

int
state_load (int dirfd, struct container_state *st, tr_error_t *err)
{
  size_t len;
  cleanup_free char *json = read_file_at (dirfd, STATE_FILE, &len, err);
  if (json == NULL)
    return tr_error_wrap (err, "load state");
  return state_json_decode (json, len, st, err);
}

const char *
container_status_name (enum container_status s)
{
  switch (s)
    {
    case STATUS_CREATING:
      return "creating";
    case STATUS_CREATED:
      return "created";
    case STATUS_RUNNING:
      return "running";
    case STATUS_PAUSED:
      return "paused";
    case STATUS_STOPPED:
      return "stopped";
    case STATUS_UNKNOWN:
      break;
    }
  return "unknown";
}

/* A record of a create still under way: creating while its init lives,
 * or, before the init exists, while its creator does; else stopped. */
static enum container_status
creating_status_of (const struct container_state *st)
{
  if (st->pid > 0)
    return proc_pid_is (st->pid, st->start_time) ? STATUS_CREATING : STATUS_STOPPED;
  return proc_pid_is (st->creator_pid, st->creator_start_time) ? STATUS_CREATING : STATUS_STOPPED;
}

enum container_status
container_status_of (int dirfd, const struct container_state *st)
{
  if (st->creating)
    return creating_status_of (st);
  if (!proc_pid_is (st->pid, st->start_time))
    return STATUS_STOPPED;
  if (file_exists_at (dirfd, EXEC_FIFO))
    return STATUS_CREATED;
  if (cgroup_is_frozen (st->cgroup_path))
    return STATUS_PAUSED;
  return STATUS_RUNNING;
}

char *
rfc3339_now (void)
{
  struct timespec ts;
  char stamp[64], *out = NULL;
  clock_gettime (CLOCK_REALTIME, &ts);
  rfc3339_utc_seconds (stamp, sizeof stamp, ts.tv_sec);
  if (asprintf (&out, "%s.%09ldZ", stamp, ts.tv_nsec) < 0)
    return NULL;
  return out;
}
