#include "config.h"
#include "rootfs.h"
#include "cleanup.h"
#include "mount_flags.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
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

int
rootfs_prepare (const struct spec *spec, const char *rootfs, tr_error_t *err)
{
  int bad;
  unsigned long prop = root_propagation (spec, err, &bad);
  if (bad)
    return tr_error_wrap (err, "linux.rootfsPropagation");
  /* pivot_root refuses a shared new root or a shared parent of it: a
   * "shared" root is made a slave here and shared in rootfs_finish(). */
  if (prop & MS_SHARED)
    prop = MS_SLAVE;
  /* Recursive on "/", so no mount made in the container reaches the host. */
  if (mount (NULL, "/", NULL, prop | MS_REC, NULL) < 0)
    return tr_error (err, errno, "set propagation of /");
  if (mount (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return tr_error (err, errno, "bind mount rootfs %s", rootfs);
  int fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open rootfs %s", rootfs);
  return fd;
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
do_chroot (const char *rootfs, tr_error_t *err)
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
rootfs_pivot (const char *rootfs, int rootfd, bool no_pivot, tr_error_t *err)
{
  if (no_pivot ? do_chroot (rootfs, err) < 0 : do_pivot_root (rootfd, err) < 0)
    return -1;
  if (chdir ("/") < 0)
    return tr_error (err, errno, "chdir /");
  return 0;
}

int
rootfs_finish (const struct spec *spec, tr_error_t *err)
{
  if (spec->root->readonly)
    {
      struct statvfs sv;
      unsigned long keep = 0;
      if (statvfs ("/", &sv) == 0)
        keep = (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0)
               | (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
      if (mount (NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
        return tr_error (err, errno, "root.readonly: remount / read-only");
    }
  const char *name = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;
  if (name && name[0])
    {
      unsigned long prop;
      if (propagation_parse (name, &prop, err) < 0)
        return tr_error_wrap (err, "linux.rootfsPropagation");
      if (mount (NULL, "/", NULL, prop, NULL) < 0)
        return tr_error (err, errno, "linux.rootfsPropagation: set %s on /", name);
    }
  return 0;
}
