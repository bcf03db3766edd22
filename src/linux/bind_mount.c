/* Mounting by fd: the bind-mount primitive that the spec's mounts, the
 * device nodes, the console and the cgroup mounts all use. */
#include "config.h"
#include "linux/bind_mount.h"
#include "linux/mount_flags.h"
#include "util/cleanup.h"
#include "util/fs_safe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

/* Per-mount flags that a bind remount would otherwise reset.  In a user
 * namespace the kernel "locks" them on mounts inherited from the host and
 * refuses a remount that tries to clear them, so they are carried over.
 * Read-only is left to the mount's own options ("ro"/"rw"). */
static unsigned long
locked_flags (int fd)
{
  struct statvfs sv;
  if (fstatvfs (fd, &sv) < 0)
    return 0;
  return mount_flags_from_statvfs (sv.f_flag) & ~MS_RDONLY;
}

int
remount_bind (int rootfd, const char *dst, unsigned long flags, unsigned long clear, tr_error_t *err)
{
  cleanup_close int fd = safe_openat (rootfd, dst, O_PATH, 0, err);
  if (fd < 0)
    return -1;
  char p[64];
  unsigned long all = ((flags | locked_flags (fd)) & ~clear) & ~(MS_BIND | MS_REC | MS_REMOUNT);
  if (mount (NULL, fd_path (fd, p), NULL, MS_BIND | MS_REMOUNT | all, NULL) < 0)
    return tr_error (err, errno, "remount %s", dst);
  return 0;
}

int
bind_mount_fd (int src_fd, int rootfd, const char *dst, unsigned long flags, tr_error_t *err)
{
  struct stat st;
  if (fstat (src_fd, &st) < 0)
    return tr_error (err, errno, "stat source of %s", dst);
  cleanup_close int target
      = open_mount_target (rootfd, dst, S_ISDIR (st.st_mode) ? TARGET_DIR : TARGET_FILE, err);
  if (target < 0)
    return -1;
  char sp[64], tp[64];
  if (mount (fd_path (src_fd, sp), fd_path (target, tp), NULL, MS_BIND | (flags & MS_REC), NULL) < 0)
    return tr_error (err, errno, "bind mount on %s", dst);
  unsigned long extra = flags & ~(MS_BIND | MS_REC);
  if (extra && remount_bind (rootfd, dst, extra, 0, err) < 0)
    return -1;
  return 0;
}

