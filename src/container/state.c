#include "config.h"
#include "container/state.h"
#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "linux/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
  for (const char *p = id; *p; p++)
    {
      char c = *p;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
            || c == '.' || c == '+'))
        return tr_error_plain (err, EINVAL, "invalid container id \"%s\": only [A-Za-z0-9_+.-] are allowed", id);
    }
  return 0;
}

static int
lock_dir (int fd, const char *id, tr_error_t *err)
{
  if (flock (fd, LOCK_EX) < 0)
    return tr_error (err, errno, "lock state of %s", id);
  return 0;
}

int
state_dir_create (const char *root, const char *id, tr_error_t *err)
{
  if (mkdir_p (root, 0700, err) < 0)
    return tr_error_wrap (err, "state root");
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return tr_error (err, errno, "open %s", root);
  if (mkdirat (rootfd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return tr_error_plain (err, EEXIST, "container \"%s\" already exists", id);
      return tr_error (err, errno, "mkdir %s/%s", root, id);
    }
  int fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s/%s", root, id);
  if (lock_dir (fd, id, err) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

int
state_dir_open (const char *root, const char *id, bool lock, tr_error_t *err)
{
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0 && errno != ENOENT)
    return tr_error (err, errno, "open %s", root);
  int fd = rootfd < 0 ? -1 : openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (rootfd < 0 || errno == ENOENT)
        return tr_error_plain (err, ENOENT, "container \"%s\" does not exist", id);
      return tr_error (err, errno, "open %s/%s", root, id);
    }
  if (lock && lock_dir (fd, id, err) < 0)
    {
      close (fd);
      return -1;
    }
  /* A directory without state.json is a container whose create failed or
   * is still running; it does not exist yet for other commands. */
  if (!file_exists_at (fd, STATE_FILE))
    {
      close (fd);
      return tr_error_plain (err, ENOENT, "container \"%s\" does not exist", id);
    }
  return fd;
}

int
state_dir_remove (const char *root, const char *id, tr_error_t *err)
{
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return errno == ENOENT ? 0 : tr_error (err, errno, "open %s", root);
  cleanup_close int fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : tr_error (err, errno, "open %s/%s", root, id);
  cleanup_dir DIR *d = fdopendir (dup (fd));
  if (d == NULL)
    return tr_error (err, errno, "read %s/%s", root, id);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (fd, de->d_name, 0) < 0 && errno != ENOENT)
        return tr_error (err, errno, "remove %s/%s/%s", root, id, de->d_name);
    }
  if (unlinkat (rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
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
    }
  return "unknown";
}

enum container_status
container_status_of (int dirfd, const struct container_state *st)
{
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
  struct tm tm;
  char stamp[64], *out = NULL;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  if (asprintf (&out, "%s.%09ldZ", stamp, ts.tv_nsec) < 0)
    return NULL;
  return out;
}
