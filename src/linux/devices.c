#include "config.h"
#include "linux/devices.h"
#include "util/cleanup.h"
#include "util/fs_safe.h"
#include "linux/bind_mount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct device
{
  const char *path;
  char type;
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static const struct device default_devices[] = {
  { "/dev/null", 'c', 1, 3, 0666, 0, 0 },   { "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
  { "/dev/full", 'c', 1, 7, 0666, 0, 0 },   { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
  { "/dev/urandom", 'c', 1, 9, 0666, 0, 0 }, { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

static const struct
{
  const char *target;
  const char *link;
} dev_symlinks[] = {
  { "/proc/self/fd", "/dev/fd" },
  { "/proc/self/fd/0", "/dev/stdin" },
  { "/proc/self/fd/1", "/dev/stdout" },
  { "/proc/self/fd/2", "/dev/stderr" },
  { "pts/ptmx", "/dev/ptmx" },
};

static mode_t
type_bits (char type)
{
  switch (type)
    {
    case 'b':
      return S_IFBLK;
    case 'p':
      return S_IFIFO;
    default:
      return S_IFCHR;
    }
}

/* The directory of the last node made: most nodes share /dev, which is
 * then resolved and reopened once for all of them. */
struct parent_dir
{
  char path[PATH_MAX];
  int fd;
};

static void
parent_dir_close (struct parent_dir *d)
{
  if (d->fd >= 0)
    close (steal_fd (&d->fd));
}
#define cleanup_parent_dir __attribute__ ((cleanup (parent_dir_close)))

/* Split "/dev/a/b" into the O_RDONLY directory fd of "/dev/a" (created if
 * needed, resolved inside root; kept in *cache for the next node) and the
 * name "b".  The fd belongs to the cache. */
static int
open_parent (int rootfd, const char *path, struct parent_dir *cache, const char **name, tr_error_t *err)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL || slash[1] == '\0')
    return tr_error_plain (err, EINVAL, "invalid device path %s", path);
  *name = slash + 1;
  char dir[PATH_MAX];
  snprintf (dir, sizeof dir, "%.*s", (int) (slash - path), path);
  if (dir[0] == '\0')
    strcpy (dir, "/");
  if (cache->fd >= 0 && strcmp (cache->path, dir) == 0)
    return cache->fd;
  parent_dir_close (cache);
  cleanup_close int made = mkdir_all_in_root (rootfd, dir, 0755, err);
  if (made < 0)
    return -1;
  /* Reopen that very directory (not its path) for the *at() calls. */
  char p[64];
  int fd = open (fd_path (made, p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s", dir);
  snprintf (cache->path, sizeof cache->path, "%s", dir);
  cache->fd = fd;
  return fd;
}

/* Open the node `name` just made in dirfd without following it, and
 * check it is the node that was made (and not something put there since). */
static int
open_made_node (int dirfd, const char *name, const struct device *d, struct stat *st, tr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s", d->path);
  if (fstat (fd, st) < 0)
    return tr_error (err, errno, "stat %s", d->path);
  bool same = (st->st_mode & S_IFMT) == type_bits (d->type)
              && (d->type == 'p' || st->st_rdev == makedev (d->major, d->minor));
  if (!same)
    return tr_error_plain (err, EEXIST, "%s: replaced while it was being created", d->path);
  return steal_fd (&fd);
}

/* Remove whatever the image had at name (a file, a symlink: never
 * followed); a directory stays and makes the creation fail. */
static int
clear_name (int dirfd, const char *name, const char *path, tr_error_t *err)
{
  if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT && errno != EISDIR)
    return tr_error (err, errno, "remove %s", path);
  return 0;
}

/* mknod, first on a free name (a fresh /dev has nothing there); where
 * the image has something at that name, it is removed and mknod tried
 * again. */
static int
mknod_over (int dirfd, const char *name, const struct device *d, tr_error_t *err)
{
  dev_t dev = d->type == 'p' ? 0 : makedev (d->major, d->minor);
  mode_t mode = type_bits (d->type) | (d->mode & 07777);
  if (mknodat (dirfd, name, mode, dev) == 0)
    return 0;
  if (errno != EEXIST)
    return tr_error (err, errno, "mknod %s", d->path);
  if (clear_name (dirfd, name, d->path, err) < 0)
    return -1;
  if (mknodat (dirfd, name, mode, dev) < 0)
    return tr_error (err, errno, "mknod %s", d->path);
  return 0;
}

static int
make_node (int rootfd, const struct device *d, struct parent_dir *cache, tr_error_t *err)
{
  const char *name;
  int dirfd = open_parent (rootfd, d->path, cache, &name, err);
  if (dirfd < 0 || mknod_over (dirfd, name, d, err) < 0)
    return -1;
  struct stat st;
  cleanup_close int fd = open_made_node (dirfd, name, d, &st, err);
  if (fd < 0)
    return -1;
  /* Where the mode is not the one asked for (a default ACL of the
   * image's directory), it is set on the node itself (through its fd), so a
   * symlink swapped in cannot redirect it; the owner likewise. */
  char p[64];
  if ((st.st_mode & 07777) != (d->mode & 07777) && fchmodat (AT_FDCWD, fd_path (fd, p), d->mode & 07777, 0) < 0)
    return tr_error (err, errno, "chmod %s", d->path);
  if ((st.st_uid != d->uid || st.st_gid != d->gid) && fchownat (fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
    return tr_error (err, errno, "chown %s", d->path);
  return 0;
}

/* In a user namespace: bind the host's node over an empty file made in
 * place of whatever the image had there. */
static int
bind_node (int rootfd, const struct device *d, struct parent_dir *cache, tr_error_t *err)
{
  cleanup_close int src = open (d->path, O_PATH | O_CLOEXEC);
  if (src < 0)
    return tr_error (err, errno, "open host device %s", d->path);
  const char *name;
  int dirfd = open_parent (rootfd, d->path, cache, &name, err);
  if (dirfd < 0)
    return -1;
  if (clear_name (dirfd, name, d->path, err) < 0)
    return -1;
  /* The mount point is the file just made, by its fd. */
  cleanup_close int target = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (target < 0)
    return tr_error (err, errno, "create %s", d->path);
  struct bind_request r = { .src_fd = src, .target_fd = target, .rootfd = rootfd, .dst = d->path };
  cleanup_close int mnt = bind_mount_onto (&r, err);
  return mnt < 0 ? -1 : 0;
}

static int
create_device (int rootfd, const struct device *d, bool user_ns, struct parent_dir *cache, tr_error_t *err)
{
  return user_ns ? bind_node (rootfd, d, cache, err) : make_node (rootfd, d, cache, err);
}

static int
create_symlinks (int rootfd, const struct parent_dir *cache, tr_error_t *err)
{
  /* /dev as the nodes found it, or resolved again. */
  cleanup_close int own = -1;
  int dev = cache->fd >= 0 && strcmp (cache->path, "/dev") == 0 ? cache->fd : -1;
  if (dev < 0 && (dev = own = safe_openat (rootfd, "/dev", O_RDONLY | O_DIRECTORY, 0, err)) < 0)
    return -1;
  for (size_t i = 0; i < sizeof dev_symlinks / sizeof dev_symlinks[0]; i++)
    {
      const char *name = dev_symlinks[i].link + 5; /* after "/dev/" */
      if (symlinkat (dev_symlinks[i].target, dev, name) < 0 && errno != EEXIST)
        return tr_error (err, errno, "symlink %s", dev_symlinks[i].link);
    }
  /* /dev/core → /proc/kcore only where the kernel has one (runc's rule). */
  if (access ("/proc/kcore", F_OK) == 0 && symlinkat ("/proc/kcore", dev, "core") < 0 && errno != EEXIST)
    return tr_error (err, errno, "symlink /dev/core");
  return 0;
}

static int
create_all (const struct spec *spec, int rootfd, bool user_ns, bool default_devs, tr_error_t *err)
{
  cleanup_parent_dir struct parent_dir cache = { .fd = -1 };
  if (default_devs)
    for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
      if (create_device (rootfd, &default_devices[i], user_ns, &cache, err) < 0)
        return -1;

  const struct spec_linux *l = spec->linux_;
  for (size_t i = 0; l && i < l->n_devices; i++)
    {
      const struct spec_device *sd = &l->devices[i];
      struct device d = {
        .path = sd->path,
        .type = sd->type[0] == 'u' ? 'c' : sd->type[0],
        .major = (unsigned) sd->major,
        .minor = (unsigned) sd->minor,
        .mode = sd->file_mode.set ? (mode_t) sd->file_mode.v : 0666,
        .uid = sd->uid.set ? (uid_t) sd->uid.v : 0,
        .gid = sd->gid.set ? (gid_t) sd->gid.v : 0,
      };
      if (create_device (rootfd, &d, user_ns, &cache, err) < 0)
        return tr_error_wrap (err, "linux.devices[%zu]", i);
    }
  if (default_devs && create_symlinks (rootfd, &cache, err) < 0)
    return -1;
  return 0;
}

int
devices_create (const struct spec *spec, int rootfd, bool user_ns, bool default_devs, tr_error_t *err)
{
  /* Without a umask, mknod gives each node its mode at once (no chmod
   * after it, but where a default ACL intervened). */
  mode_t saved = umask (0);
  int ret = create_all (spec, rootfd, user_ns, default_devs, err);
  umask (saved);
  return ret;
}
