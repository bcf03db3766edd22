#include "config.h"
#include "linux/paths.h"
#include "util/cleanup.h"
#include "util/fs_safe.h"
#include "linux/mount_flags.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

static int
open_dev_null (tr_error_t *err)
{
  cleanup_close int fd = open ("/dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return tr_error (err, errno, "open /dev/null");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return tr_error (err, errno, "stat /dev/null");
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    return tr_error_plain (err, EPERM, "/dev/null is not the null device (char 1:3): refusing to mask with it");
  return steal_fd (&fd);
}

int
paths_mask (const strlist *paths, tr_error_t *err)
{
  cleanup_close int null_fd = -1;
  for (size_t i = 0; i < paths->n; i++)
    {
      const char *path = paths->v[i];
      cleanup_close int fd = safe_openat (AT_FDCWD, path, O_PATH, 0, NULL);
      if (fd < 0)
        continue; /* nothing there: nothing to hide */
      struct stat st;
      if (fstat (fd, &st) < 0)
        return tr_error (err, errno, "linux.maskedPaths[%zu]: stat %s", i, path);
      char p[64], np[64];
      if (S_ISDIR (st.st_mode))
        {
          if (mount ("tmpfs", fd_path (fd, p), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") < 0)
            return tr_error (err, errno, "linux.maskedPaths[%zu]: mount tmpfs on %s", i, path);
          continue;
        }
      if (null_fd < 0 && (null_fd = open_dev_null (err)) < 0)
        return tr_error_wrap (err, "linux.maskedPaths[%zu]", i);
      if (mount (fd_path (null_fd, np), fd_path (fd, p), NULL, MS_BIND, NULL) < 0)
        return tr_error (err, errno, "linux.maskedPaths[%zu]: bind /dev/null on %s", i, path);
    }
  return 0;
}

int
paths_make_readonly (const strlist *paths, tr_error_t *err)
{
  for (size_t i = 0; i < paths->n; i++)
    {
      const char *path = paths->v[i];
      cleanup_close int fd = safe_openat (AT_FDCWD, path, O_PATH, 0, NULL);
      if (fd < 0)
        continue;
      char p[64];
      if (mount (fd_path (fd, p), fd_path (fd, p), NULL, MS_BIND | MS_REC, NULL) < 0)
        return tr_error (err, errno, "linux.readonlyPaths[%zu]: bind %s", i, path);
      /* Reopen: the fd still names the directory under the new mount. */
      cleanup_close int top = safe_openat (AT_FDCWD, path, O_PATH, 0, err);
      if (top < 0)
        return tr_error_wrap (err, "linux.readonlyPaths[%zu]", i);
      struct statvfs sv;
      unsigned long keep = 0;
      if (fstatvfs (top, &sv) == 0)
        keep = mount_flags_from_statvfs (sv.f_flag);
      if (mount (NULL, fd_path (top, p), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | keep, NULL) < 0)
        return tr_error (err, errno, "linux.readonlyPaths[%zu]: remount %s read-only", i, path);
    }
  return 0;
}
