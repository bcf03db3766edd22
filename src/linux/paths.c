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
#include <unistd.h>

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

/* What masks are made of, opened on first use. */
struct masks
{
  int null_fd; /* the verified /dev/null */
  int tmpfs;   /* the one empty read-only tmpfs of every masked directory */
};

/* The first masked directory gets a new empty read-only tmpfs; every
 * other one a bind mount of that same tmpfs (runc 1.2, crun: one
 * superblock for all of them, instead of one per directory). */
static int
mask_dir (int fd, const char *path, struct masks *mk, tr_error_t *err)
{
  if (mk->tmpfs >= 0)
    {
      struct bind_request b = { .src_fd = mk->tmpfs, .target_fd = fd, .rootfd = AT_FDCWD, .dst = path };
      cleanup_close int mnt = bind_mount_onto (&b, err);
      return mnt < 0 ? -1 : 0;
    }
  struct fs_mount_request r = { .type = "tmpfs", .source = "tmpfs", .data = "size=0", .flags = MASK_FLAGS,
                                .target_fd = fd, .rootfd = AT_FDCWD, .dst = path };
  mk->tmpfs = fs_mount_onto (&r, err);
  return mk->tmpfs < 0 ? -1 : 0;
}

/* Hide what `fd` names: the shared empty tmpfs over a directory, the
 * verified /dev/null over anything else. */
static int
mask_one (int fd, const char *path, struct masks *mk, tr_error_t *err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return tr_error (err, errno, "stat %s", path);
  if (S_ISDIR (st.st_mode))
    return mask_dir (fd, path, mk, err);
  if (mk->null_fd < 0 && (mk->null_fd = open_dev_null (err)) < 0)
    return -1;
  struct bind_request b = { .src_fd = mk->null_fd, .target_fd = fd, .rootfd = AT_FDCWD, .dst = path };
  cleanup_close int mnt = bind_mount_onto (&b, err);
  return mnt < 0 ? -1 : 0;
}

static void
masks_close (struct masks *mk)
{
  if (mk->null_fd >= 0)
    close (mk->null_fd);
  if (mk->tmpfs >= 0)
    close (mk->tmpfs);
}

#define cleanup_masks __attribute__ ((cleanup (masks_close)))

int
paths_mask (const strlist *paths, tr_error_t *err)
{
  cleanup_masks struct masks mk = { .null_fd = -1, .tmpfs = -1 };
  for (size_t i = 0; i < paths->n; i++)
    {
      const char *path = paths->v[i];
      cleanup_close int fd = safe_openat (AT_FDCWD, path, O_PATH, 0, NULL);
      if (fd < 0)
        continue; /* nothing there: nothing to hide */
      if (mask_one (fd, path, &mk, err) < 0)
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
