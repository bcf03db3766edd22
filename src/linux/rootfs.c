#include "config.h"
#include "linux/rootfs.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/fs_safe.h"
#include "linux/bind_mount.h"
#include "linux/mount_flags.h"
#include "linux/mount_fd.h"
#include "linux/mounts.h"
#include "util/syscalls.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static unsigned long
root_propagation (const struct spec *spec, tr_error_t *err, int *bad)
{
  const char *name = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;
  unsigned long flags = MS_SLAVE | MS_REC;
  *bad = 0;
  if (name && name[0] && propagation_parse (name, &flags, err) < 0)
    *bad = 1;
  return flags;
}

/* Bind the rootfs onto itself (with its submounts), so that it is a mount
 * point; returns an fd on the new mount's root. */
static int
bind_rootfs (const char *rootfs, tr_error_t *err)
{
  cleanup_close int fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open rootfs %s", rootfs);
  struct bind_request r = { .src_fd = fd, .target_fd = fd, .recursive = true, .rootfd = AT_FDCWD, .dst = rootfs };
  int mnt = bind_mount_onto (&r, err);
  if (mnt < 0)
    return tr_error_wrap (err, "bind mount rootfs %s", rootfs);
  return mnt;
}

static int
mount_id (int fd, uint64_t *id)
{
  struct statx stx;
  if (statx (fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
    return -1;
  *id = stx.stx_mnt_id;
  return 0;
}

/* Is the mount `fd` is on shared (a "shared:N" field in mountinfo)? */
static bool
mount_is_shared (int fd)
{
  uint64_t id;
  if (mount_id (fd, &id) < 0)
    return false;
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  char line[8192];
  while (f && fgets (line, sizeof line, f))
    {
      char *end;
      if (strtoull (line, &end, 10) != id || *end != ' ')
        continue;
      char *sep = strstr (line, " - ");
      char *shared = strstr (line, " shared:");
      return shared && (sep == NULL || shared < sep);
    }
  return false;
}

/* runc's rootfsParentMountPrivate: if the mount the rootfs is on would be
 * shared once runc had set rootfsPropagation on "/" (a shared form, or a
 * form that does not reach it and a mount shared by the host), make it
 * private, so that the rootfs's bind mount is private too. */
static bool
parent_private_as_runc (const char *name, int fd)
{
  if (name == NULL || !name[0])
    return false;
  if (strcmp (name, "shared") == 0 || strcmp (name, "rshared") == 0)
    return true;
  if (name[0] == 'r' || !mount_is_shared (fd))
    return false;
  cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  uint64_t a, b;
  return root >= 0 && mount_id (fd, &a) == 0 && mount_id (root, &b) == 0 && a != b;
}

/* The root of the mount the directory `fd` is on: up through ".." from
 * that very directory until a mount root (statx says so). */
static int
mount_root_of (int fd, tr_error_t *err)
{
  cleanup_close int cur = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  for (int depth = 0; cur >= 0 && depth < 4096; depth++)
    {
      struct statx stx;
      if (statx (cur, "", AT_EMPTY_PATH, 0, &stx) < 0)
        return tr_error (err, errno, "stat the rootfs's mount");
      if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
        return tr_error_plain (err, ENOSYS, "statx cannot tell a mount root");
      if (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)
        return steal_fd (&cur);
      int up = openat (cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      close (cur);
      cur = up;
    }
  return tr_error (err, cur < 0 ? errno : ELOOP, "find the rootfs's mount");
}

/* Make the mount the rootfs directory `fd` is on private, by its root's fd. */
static int
rootfs_parent_private (int fd, const char *rootfs, tr_error_t *err)
{
  cleanup_close int root = mount_root_of (fd, err);
  if (root < 0)
    return tr_error_wrap (err, "rootfs %s", rootfs);
  char p[64];
  if (mount (NULL, fd_path (root, p), NULL, MS_PRIVATE, NULL) < 0)
    return tr_error (err, errno, "make the mount of rootfs %s private", rootfs);
  return 0;
}

int
rootfs_prepare (const struct spec *spec, const char *rootfs, enum rootfs_switch how, tr_error_t *err)
{
  if (how == ROOTFS_CHROOT)
    {
      /* The host's namespace: change nothing but what the container needs. */
      if (spec->root->readonly)
        return bind_rootfs (rootfs, err);
      int fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        return tr_error (err, errno, "open rootfs %s", rootfs);
      return fd;
    }
  int bad;
  unsigned long prop = root_propagation (spec, err, &bad);
  if (bad)
    return tr_error_wrap (err, "linux.rootfsPropagation");
  const char *name = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;
  cleanup_close int at = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (at < 0)
    return tr_error (err, errno, "open rootfs %s", rootfs);
  bool parent_private = parent_private_as_runc (name, at);
  /* pivot_root refuses a shared new root or a shared parent of it, and an
   * unbindable tree cannot be bind-mounted: such a root is made a slave
   * here and gets its propagation in rootfs_finish(). */
  if (prop & (MS_SHARED | MS_UNBINDABLE))
    prop = MS_SLAVE;
  /* Recursive on "/", so no mount made in the container reaches the host. */
  if (mount (NULL, "/", NULL, prop | MS_REC, NULL) < 0)
    return tr_error (err, errno, "set propagation of /");
  if (parent_private && rootfs_parent_private (at, rootfs, err) < 0)
    return -1;
  return bind_rootfs (rootfs, err);
}

static int
do_pivot_root (int rootfd, tr_error_t *err)
{
  cleanup_close int oldroot = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0)
    return tr_error (err, errno, "open /");
  if (fchdir (rootfd) < 0)
    return tr_error (err, errno, "chdir to rootfs");
  /* pivot_root(".", ".") stacks the old root on top of the new one, so no
   * directory for it is needed inside the rootfs. */
  if (sys_pivot_root (".", ".") < 0)
    return tr_error (err, errno, "pivot_root");
  if (fchdir (oldroot) < 0)
    return tr_error (err, errno, "chdir to old root");
  /* Make the old root a slave first, or the unmount would propagate to
   * the host's mounts that share with it. */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return tr_error (err, errno, "make old root a slave");
  if (umount2 (".", MNT_DETACH) < 0)
    return tr_error (err, errno, "unmount old root");
  return 0;
}

static int
do_move_and_chroot (const char *rootfs, tr_error_t *err)
{
  if (chdir (rootfs) < 0)
    return tr_error (err, errno, "chdir %s", rootfs);
  if (mount (rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return tr_error (err, errno, "move rootfs to /");
  if (chroot (".") < 0)
    return tr_error (err, errno, "chroot");
  return 0;
}

int
rootfs_pivot (const char *rootfs, int rootfd, enum rootfs_switch how, tr_error_t *err)
{
  int ret;
  switch (how)
    {
    case ROOTFS_PIVOT:
      ret = do_pivot_root (rootfd, err);
      break;
    case ROOTFS_MOVE:
      ret = do_move_and_chroot (rootfs, err);
      break;
    case ROOTFS_CHROOT:
    default:
      ret = fchdir (rootfd) < 0 || chroot (".") < 0 ? tr_error (err, errno, "chroot %s", rootfs) : 0;
      break;
    }
  if (ret < 0)
    return -1;
  if (chdir ("/") < 0)
    return tr_error (err, errno, "chdir /");
  return 0;
}

/* A "/dev" with "ro" was mounted writable for the devices: make that
 * mount read-only now, by the fd of the mount found at /dev. */
static int
dev_readonly (tr_error_t *err)
{
  cleanup_close int dev = open ("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dev < 0)
    return tr_error (err, errno, "open /dev");
  struct statx stx;
  if (statx (dev, "", AT_EMPTY_PATH, 0, &stx) < 0)
    return tr_error (err, errno, "stat /dev");
  if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return tr_error_plain (err, EINVAL, "/dev is not the mount the spec made there");
  return mount_fd_set_flags_attached (dev, MS_RDONLY, 0, "/dev", err);
}

int
rootfs_finish (const struct spec *spec, enum rootfs_switch how, tr_error_t *err)
{
  if (mounts_dev_readonly (spec) && dev_readonly (err) < 0)
    return tr_error_wrap (err, "remount /dev read-only");
  if (spec->root->readonly)
    {
      /* The process's root is the rootfs mount: set read-only on it by fd. */
      cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (root < 0)
        return tr_error (err, errno, "root.readonly: open /");
      if (mount_fd_set_flags_attached (root, MS_RDONLY, 0, "/", err) < 0)
        return tr_error_wrap (err, "root.readonly");
    }
  const char *name = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;
  /* Without a mount namespace, "/" is a host mount: never touch it. */
  if (name && name[0] && how != ROOTFS_CHROOT)
    {
      unsigned long prop;
      if (propagation_parse (name, &prop, err) < 0)
        return tr_error_wrap (err, "linux.rootfsPropagation");
      if (mount (NULL, "/", NULL, prop, NULL) < 0)
        return tr_error (err, errno, "linux.rootfsPropagation: set %s on /", name);
    }
  return 0;
}
