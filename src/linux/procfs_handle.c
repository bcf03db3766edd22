#include "config.h"
#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#define PROC_ROOT_INO 1

/* fsopen(2), fsconfig(2), fsmount(2): the new mount API, no glibc
 * wrapper on every target. */
#define TR_FSOPEN_CLOEXEC 0x00000001
#define TR_FSCONFIG_CMD_CREATE 6
#define TR_FSMOUNT_CLOEXEC 0x00000001
#define TR_MOUNT_ATTR_NOSUID 0x00000002
#define TR_MOUNT_ATTR_NODEV 0x00000004
#define TR_MOUNT_ATTR_NOEXEC 0x00000008

static bool
on_procfs (int fd)
{
  struct statfs sfs;
  return fstatfs (fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static bool
is_procfs_root (int fd)
{
  struct stat st;
  return on_procfs (fd) && fstat (fd, &st) == 0 && st.st_ino == PROC_ROOT_INO;
}

/* A new, detached procfs of our pid namespace: nothing in any mount
 * table can cover or replace it. */
static int
fresh_procfs (void)
{
  cleanup_close int fs = (int) syscall (SYS_fsopen, "proc", TR_FSOPEN_CLOEXEC);
  if (fs < 0)
    return -1;
  if (syscall (SYS_fsconfig, fs, TR_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return -1;
  return (int) syscall (SYS_fsmount, fs, TR_FSMOUNT_CLOEXEC,
                        TR_MOUNT_ATTR_NOSUID | TR_MOUNT_ATTR_NODEV | TR_MOUNT_ATTR_NOEXEC);
}

int
procfs_open_root (tr_error_t *err)
{
  int fd = fresh_procfs ();
  if (fd < 0)
    /* Without the new mount API (or the right to a new instance): a
     * clone of the /proc mount alone, without what is mounted on it. */
    fd = sys_open_tree (AT_FDCWD, "/proc", TR_OPEN_TREE_CLONE | TR_OPEN_TREE_CLOEXEC);
  if (fd < 0)
    fd = open ("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open a procfs handle");
  if (!is_procfs_root (fd))
    {
      close (fd);
      return tr_error_plain (err, EXDEV, "/proc is not the root of a procfs");
    }
  return fd;
}

/* Without openat2: the path component by component, O_NOFOLLOW, with
 * "self" and "thread-self" read from procfs itself (they are procfs's
 * own symlinks, to "<pid>" and "<pid>/task/<tid>"). */
static int
open_by_components (int procfd, const char *path, int flags)
{
  char buf[512];
  size_t skip = 0;
  const char *self = strncmp (path, "thread-self/", 12) == 0 ? "thread-self" : "self";
  if (strncmp (path, self, strlen (self)) == 0 && path[strlen (self)] == '/')
    {
      ssize_t n = readlinkat (procfd, self, buf, sizeof buf - 1);
      if (n <= 0 || (size_t) n >= sizeof buf / 2)
        return -1;
      buf[n] = '\0';
      skip = strlen (self);
    }
  else
    buf[0] = '\0';
  if (strlen (buf) + strlen (path + skip) + 1 >= sizeof buf)
    return errno = ENAMETOOLONG, -1;
  strcat (buf, skip ? path + skip : path);
  int dir = dup (procfd);
  for (char *p = buf, *slash; dir >= 0; p = slash + 1)
    {
      slash = strchr (p, '/');
      if (slash == NULL)
        {
          int fd = openat (dir, p, flags | O_NOFOLLOW | O_CLOEXEC);
          close (dir);
          return fd;
        }
      *slash = '\0';
      int next = openat (dir, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (dir);
      dir = next;
    }
  return -1;
}

int
procfs_open_file (int procfd, const char *path, int flags, tr_error_t *err)
{
  struct tr_open_how how = {
    /* openat2 refuses O_PATH with flags it would ignore. */
    .flags = (uint64_t) (flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY)),
    .resolve = TR_RESOLVE_BENEATH | TR_RESOLVE_NO_MAGICLINKS | TR_RESOLVE_NO_XDEV,
  };
  int fd = sys_openat2 (procfd, path, &how);
  if (fd < 0 && errno == ENOSYS)
    fd = open_by_components (procfd, path, flags);
  if (fd < 0)
    return tr_error (err, errno, "open /proc/%s", path);
  if (!on_procfs (fd))
    {
      close (fd);
      return tr_error_plain (err, EXDEV, "/proc/%s is not on procfs", path);
    }
  return fd;
}

int
procfs_write (const char *path, const char *text, tr_error_t *err)
{
  cleanup_close int procfd = procfs_open_root (err);
  if (procfd < 0)
    return -1;
  cleanup_close int fd = procfs_open_file (procfd, path, O_WRONLY, err);
  if (fd < 0)
    return -1;
  if (write_all_fd (fd, text, strlen (text), err) < 0)
    return tr_error_wrap (err, "write /proc/%s", path);
  return 0;
}

int
procfs_reopen_fd (int fd, int flags, tr_error_t *err)
{
  cleanup_close int procfd = procfs_open_root (err);
  if (procfd < 0)
    return -1;
  cleanup_close int fddir = procfs_open_file (procfd, "thread-self/fd", O_PATH | O_DIRECTORY, err);
  if (fddir < 0)
    return -1;
  char name[16];
  snprintf (name, sizeof name, "%d", fd);
  int out = openat (fddir, name, flags | O_CLOEXEC);
  if (out < 0)
    return tr_error (err, errno, "reopen fd %d through procfs", fd);
  return out;
}

/* Whether some component of dest (relative to rootfd) is a symlink; a
 * missing one ends the walk (the mount creates it as a directory). */
static bool
has_symlink (int rootfd, const char *dest)
{
  char buf[4096];
  snprintf (buf, sizeof buf, "%s", dest);
  cleanup_close int dir = dup (rootfd);
  for (char *p = buf, *next; dir >= 0 && p && *p; p = next)
    {
      next = strchr (p, '/');
      if (next)
        *next++ = '\0';
      if (*p == '\0' || strcmp (p, ".") == 0)
        continue;
      struct stat st;
      if (fstatat (dir, p, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return false;
      if (S_ISLNK (st.st_mode))
        return true;
      int sub = openat (dir, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (dir);
      dir = sub;
    }
  return false;
}

int
procfs_check_mount_destinations (const struct spec *spec, int rootfd, tr_error_t *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      if (m->type && strcmp (m->type, "proc") == 0 && has_symlink (rootfd, m->destination))
        return tr_error_plain (err, ELOOP, "mounts[%zu]: destination %s is a symlink in the rootfs; a proc mount "
                                           "needs a real directory",
                               i, m->destination);
    }
  return 0;
}
