#include "config.h"
#include "cgroup/root_fd.h"
#include "cgroup/internal.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int
cgroup_read_pids (int dirfd, const char *file, pid_t **pids, size_t *n, tr_error_t *err)
{
  cleanup_free char *buf = read_file_at (dirfd, file, NULL, err);
  if (buf == NULL)
    return -1;
  for (char *p = buf; *p;)
    {
      char *end;
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      pid_t *bigger = realloc (*pids, (*n + 1) * sizeof **pids);
      if (bigger == NULL)
        return tr_error (err, ENOMEM, "read %s", file);
      *pids = bigger;
      (*pids)[(*n)++] = (pid_t) v;
      p = end;
      while (*p == '\n')
        p++;
    }
  return 0;
}

int
cgroup_read_pids_recursive (int dirfd, const char *file, pid_t **pids, size_t *n, tr_error_t *err)
{
  if (cgroup_read_pids (dirfd, file, pids, n, err) < 0)
    return -1;
  int dup_fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0)
    return tr_error (err, errno, "open cgroup");
  cleanup_dir DIR *d = fdopendir (dup_fd);
  if (d == NULL)
    {
      close (dup_fd);
      return tr_error (err, errno, "read cgroup");
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      cleanup_close int sub = openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (sub < 0)
        continue;
      if (cgroup_read_pids_recursive (sub, file, pids, n, err) < 0)
        return -1;
    }
  return 0;
}

static int
rmdir_retry (const char *dir, tr_error_t *err)
{
  /* A cgroup is busy until its last process is fully gone; killed
   * processes take a moment to exit. */
  for (int attempt = 0;; attempt++)
    {
      if (cgroupfs_rmdir (dir) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY || attempt >= 500)
        return tr_error (err, errno, "remove cgroup %s", dir);
      struct timespec ts = { 0, 10 * 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
}

int
cgroup_rmdir_tree (const char *dir, tr_error_t *err)
{
  /* Most cgroups have no children and no process left: one rmdir then,
   * and the walk below only when it is busy (EBUSY) or not a cgroup. */
  if (cgroupfs_rmdir (dir) == 0 || errno == ENOENT)
    return 0;
  cleanup_dir DIR *d = cgroupfs_opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : tr_error (err, errno, "open cgroup %s", dir);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      cleanup_free char *sub = path_join (dir, de->d_name);
      if (sub == NULL)
        return tr_error (err, ENOMEM, "remove cgroup %s", dir);
      if (cgroup_rmdir_tree (sub, err) < 0)
        return -1;
    }
  return rmdir_retry (dir, err);
}

size_t
cgroup_depth (const char *path)
{
  size_t n = 0;
  for (const char *p = path; *p;)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      n++;
      p = strchrnul (p, '/');
    }
  return n;
}

/* Without a callback, each level by its full path: no directory to open
 * and close per level (a third of the syscalls of a v1 hierarchy's
 * levels).  Safe as the walk by fds: cgroupfs has no symlinks, and the
 * path has no ".." (cgroup_resolve). */
static int
make_levels_by_path (const char *mnt, const char *path, size_t *existing, tr_error_t *err)
{
  cleanup_free char *full = path_join (mnt, path);
  if (full == NULL)
    return tr_error (err, ENOMEM, "cgroup %s", path);
  /* The deepest level first: where its parent exists (the common case,
   * "tinyrun/<id>" below a "tinyrun" made by an earlier container), one
   * mkdir tells it all; ENOENT falls back to the walk from the top. */
  size_t depth = cgroup_depth (path);
  if (depth > 0 && cgroupfs_mkdir (full, 0755) == 0)
    {
      *existing = depth - 1;
      return 0;
    }
  if (depth > 0 && errno == EEXIST)
    {
      *existing = depth;
      return 0;
    }
  if (depth > 0 && errno != ENOENT)
    return tr_error (err, errno, "create cgroup %s/%s", mnt, path);
  bool making = false;
  for (char *p = full + strlen (mnt);;)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        return 0;
      p = strchrnul (p, '/');
      char saved = *p;
      *p = '\0';
      /* As below: EEXIST means someone else made this level. */
      if (cgroupfs_mkdir (full, 0755) == 0)
        making = true;
      else if (errno != EEXIST)
        return tr_error (err, errno, "create cgroup %s/%s", mnt, path);
      else if (!making)
        (*existing)++;
      *p = saved;
    }
}

int
cgroup_make_levels (const char *mnt, const char *path, cgroup_level_fn before, cgroup_level_made_fn after,
                    size_t *existing, tr_error_t *err)
{
  *existing = 0;
  if (before == NULL && after == NULL)
    return make_levels_by_path (mnt, path, existing, err);
  cleanup_close int cur = cgroupfs_open (mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return tr_error (err, errno, "open %s", mnt);
  cleanup_free char *copy = strdup (path);
  if (copy == NULL)
    return tr_error (err, ENOMEM, "cgroup %s", path);
  bool making = false;
  char *save = NULL;
  for (char *comp = strtok_r (copy, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      if (before && before (cur, comp, err) < 0)
        return -1;
      /* mkdir tells atomically whether this level is ours: EEXIST means
       * someone else made it, and it is never removed by us. */
      if (mkdirat (cur, comp, 0755) == 0)
        making = true;
      else if (errno != EEXIST)
        return tr_error (err, errno, "create cgroup %s/%s", mnt, path);
      else if (!making)
        (*existing)++;
      bool last = save == NULL || *save == '\0';
      if (last && after == NULL)
        break; /* nothing more to do in it */
      cleanup_close int next = openat (cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        return tr_error (err, errno, "open cgroup %s/%s", mnt, path);
      if (after && after (cur, next, making, err) < 0)
        return tr_error_wrap (err, "cgroup %s/%s", mnt, path);
      close (cur);
      cur = steal_fd (&next);
    }
  return 0;
}

void
cgroup_remove_levels (const char *mnt, const char *path, size_t keep)
{
  cleanup_free char *full = path_join (mnt, path);
  if (full == NULL)
    return;
  size_t mnt_len = strlen (mnt);
  for (size_t depth = cgroup_depth (path); depth > keep; depth--)
    {
      if (cgroupfs_rmdir (full) < 0 && errno != ENOENT)
        return;
      char *slash = strrchr (full, '/');
      if (slash == NULL || (size_t) (slash - full) <= mnt_len)
        return;
      *slash = '\0';
    }
}

int
cgroup_set (int dirfd, const char *file, const char *field, const char *value, tr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, file, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "%s: open %s", field, file);
  size_t len = strlen (value);
  /* cgroup files take one value per write(2). */
  if (write (fd, value, len) != (ssize_t) len)
    return tr_error (err, errno, "%s: write %s to %s", field, value, file);
  return 0;
}

int
cgroup_setf (int dirfd, const char *file, const char *field, tr_error_t *err, const char *fmt, ...)
{
  char value[512];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (value, sizeof value, fmt, ap);
  va_end (ap);
  return cgroup_set (dirfd, file, field, value, err);
}

bool
cgroup_has_file (int dirfd, const char *file)
{
  return faccessat (dirfd, file, F_OK, 0) == 0;
}

static bool
rule_names_device (const struct spec_resources *res, char type, int64_t major, int64_t minor)
{
  for (size_t i = 0; res && i < res->n_devices; i++)
    {
      const struct spec_device_rule *r = &res->devices[i];
      if (r->type && r->type[0] == type && r->major.set && r->major.v == major && r->minor.set
          && r->minor.v == minor)
        return true;
    }
  return false;
}

size_t
cgroup_default_device_rules (const struct spec_resources *res, struct spec_device_rule *out, size_t max)
{
  static const struct
  {
    int64_t major, minor; /* minor -1: any */
  } devs[] = { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, { 5, 0 }, { 5, 1 }, { 5, 2 }, { 136, -1 } };
  size_t n = 0;
  /* mknod of any device, as runc allows: the runtime itself creates the
   * container's device nodes after the rules are in place, and a node is
   * useless without the read/write rules anyway. */
  static const char *const mknod_types[] = { "c", "b" };
  for (size_t i = 0; i < 2 && n < max; i++)
    out[n++] = (struct spec_device_rule){ .allow = true, .type = (char *) mknod_types[i], .access = (char *) "m" };
  for (size_t i = 0; i < sizeof devs / sizeof devs[0] && n < max; i++)
    {
      if (rule_names_device (res, 'c', devs[i].major, devs[i].minor))
        continue;
      out[n++] = (struct spec_device_rule){
        .allow = true,
        .type = (char *) "c",
        .major = { true, devs[i].major },
        .minor = { devs[i].minor >= 0, devs[i].minor },
        .access = (char *) "rwm",
      };
    }
  return n;
}

int
cgroup_set_rdma (int dirfd, const struct spec_resources *res, tr_error_t *err)
{
  for (size_t i = 0; i < res->n_rdma; i++)
    {
      const struct spec_rdma *r = &res->rdma[i];
      char value[256], field[128];
      int used = snprintf (value, sizeof value, "%s", r->device);
      if (r->hca_handles.set)
        used += snprintf (value + used, sizeof value - (size_t) used, " hca_handle=%" PRIu64, r->hca_handles.v);
      if (r->hca_objects.set)
        snprintf (value + used, sizeof value - (size_t) used, " hca_object=%" PRIu64, r->hca_objects.v);
      snprintf (field, sizeof field, "linux.resources.rdma.%s", r->device);
      if (cgroup_set (dirfd, "rdma.max", field, value, err) < 0)
        return -1;
    }
  return 0;
}

uint64_t
cgroup_v2_weight (uint64_t v, uint64_t lo, uint64_t hi)
{
  if (v < lo)
    v = lo;
  if (v > hi)
    v = hi;
  return 1 + ((v - lo) * 9999) / (hi - lo);
}
