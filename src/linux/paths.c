#include "config.h"
#include "linux/paths.h"
#include "linux/bind_mount.h"
#include "linux/mount_fd.h"
#include "util/cleanup.h"
#include "util/fs_safe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

#define MASK_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* Hide what `fd` names: an empty read-only tmpfs over a directory, the
 * verified /dev/null (*null_fd, opened on first use) over anything else. */
static int
mask_one (int fd, const char *path, int *null_fd, tr_error_t *err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return tr_error (err, errno, "stat %s", path);
  if (S_ISDIR (st.st_mode))
    {
      struct fs_mount_request r = { .type = "tmpfs", .source = "tmpfs", .data = "size=0", .flags = MASK_FLAGS,
                                    .target_fd = fd, .rootfd = AT_FDCWD, .dst = path };
      cleanup_close int mnt = fs_mount_onto (&r, err);
      return mnt < 0 ? -1 : 0;
    }
  if (*null_fd < 0 && (*null_fd = open_dev_null (err)) < 0)
    return -1;
  struct bind_request b = { .src_fd = *null_fd, .target_fd = fd, .rootfd = AT_FDCWD, .dst = path };
  cleanup_close int mnt = bind_mount_onto (&b, err);
  return mnt < 0 ? -1 : 0;
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
      if (mask_one (fd, path, &null_fd, err) < 0)
        return tr_error_wrap (err, "linux.maskedPaths[%zu]", i);
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
      /* Bind the path (and the mounts below it) onto itself: the top one
       * is made read-only on the detached clone, then attached where fd
       * was opened. */
      struct bind_request b = { .src_fd = fd,
                                .target_fd = fd,
                                .recursive = true,
                                .set = MS_RDONLY,
                                .rootfd = AT_FDCWD,
                                .dst = path };
      cleanup_close int mnt = bind_mount_onto (&b, err);
      if (mnt < 0)
        return tr_error_wrap (err, "linux.readonlyPaths[%zu]", i);
    }
  return 0;
}
