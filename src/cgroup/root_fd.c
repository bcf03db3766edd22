#include "config.h"
#include "cgroup/root_fd.h"
#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

static struct
{
  int fd;
  bool tried; /* opened, or found unopenable: not tried again */
} root = { .fd = -1 };

int
cgroupfs_prepare (void)
{
  if (!root.tried)
    {
      root.tried = true;
      root.fd = open (CGROUP_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
  return root.fd;
}

/* The fd and the path relative to it, or AT_FDCWD and path itself. */
static const char *
at (const char *path, int *dirfd)
{
  size_t n = sizeof CGROUP_ROOT - 1;
  *dirfd = AT_FDCWD;
  if (strncmp (path, CGROUP_ROOT, n) != 0 || (path[n] != '/' && path[n] != '\0') || cgroupfs_prepare () < 0)
    return path;
  const char *rel = path + n;
  while (*rel == '/')
    rel++;
  *dirfd = root.fd;
  return *rel ? rel : ".";
}

int
cgroupfs_open (const char *path, int flags)
{
  int dirfd;
  const char *rel = at (path, &dirfd);
  return openat (dirfd, rel, flags);
}

int
cgroupfs_mkdir (const char *path, mode_t mode)
{
  int dirfd;
  const char *rel = at (path, &dirfd);
  return mkdirat (dirfd, rel, mode);
}

int
cgroupfs_rmdir (const char *path)
{
  int dirfd;
  const char *rel = at (path, &dirfd);
  return unlinkat (dirfd, rel, AT_REMOVEDIR);
}

int
cgroupfs_stat (const char *path, struct stat *st)
{
  int dirfd;
  const char *rel = at (path, &dirfd);
  return fstatat (dirfd, rel, st, 0);
}

int
cgroupfs_statfs (const char *path, struct statfs *st)
{
  int dirfd;
  const char *rel = at (path, &dirfd);
  if (dirfd == AT_FDCWD)
    return statfs (path, st);
  if (strcmp (rel, ".") == 0)
    return fstatfs (dirfd, st);
  int fd = openat (dirfd, rel, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int ret = fstatfs (fd, st);
  int saved = errno;
  close (fd);
  errno = saved;
  return ret;
}

DIR *
cgroupfs_opendir (const char *path)
{
  int fd = cgroupfs_open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      int saved = errno;
      close (fd);
      errno = saved;
    }
  return d;
}
