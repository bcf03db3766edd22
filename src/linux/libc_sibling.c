#include "config.h"
#include "linux/libc_sibling.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

bool
libc_sibling_can_dlopen (void)
{
#ifdef __GLIBC__
  return true;
#else
  return false;
#endif
}

/* Root, we, or whoever owns the running binary (in a rootless engine's
 * user namespace root's files show as the overflow uid). */
static bool
trusted_owner (uid_t owner, uid_t self_owner)
{
  return owner == 0 || owner == geteuid () || owner == self_owner;
}

/* The sibling's fd, checked as sudo checks what it runs as root. */
static int
open_sibling (const char *why, tr_error_t *err)
{
  struct self_exe exe;
  if (self_exe_split (&exe, err) < 0)
    return tr_error_wrap (err, "%s", why);
  const char *path = exe.dir;
  cleanup_close int dir = open (path[0] ? path : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd = dir < 0 ? -1 : openat (dir, LIBC_SIBLING_NAME, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st, self;
  if (fd < 0 || fstat (fd, &st) < 0 || stat ("/proc/self/exe", &self) < 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      return tr_error (err, saved, "%s: this tinyrun is built with musl, which cannot load libsystemd; its glibc build "
                                   "%s/" LIBC_SIBLING_NAME " is needed",
                       why, path);
    }
  const char *bad = !S_ISREG (st.st_mode)                           ? "is not a regular file"
                    : (st.st_mode & (S_IWGRP | S_IWOTH))            ? "is writable by others"
                    : !trusted_owner (st.st_uid, self.st_uid)       ? "belongs to another user"
                    : !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) ? "is not executable"
                                                                    : NULL;
  if (bad)
    {
      close (fd);
      return tr_error_plain (err, EPERM, "%s: %s/" LIBC_SIBLING_NAME " %s", why, path, bad);
    }
  return fd;
}

int
libc_sibling_exec (char **argv, const char *why, tr_error_t *err)
{
  if (getenv (LIBC_SIBLING_MARK))
    return tr_error_plain (err, ELOOP, "%s: " LIBC_SIBLING_NAME " is not a glibc build (it re-executed itself)", why);
  cleanup_close int fd = open_sibling (why, err);
  if (fd < 0)
    return -1;
  if (setenv (LIBC_SIBLING_MARK, TINYRUN_COMMIT, 1) < 0)
    return tr_error (err, errno, "%s: setenv", why);
  syscall (SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  int saved = errno;
  unsetenv (LIBC_SIBLING_MARK);
  return tr_error (err, saved, "%s: execute " LIBC_SIBLING_NAME, why);
}

int
libc_sibling_arrived (tr_error_t *err)
{
  const char *from = getenv (LIBC_SIBLING_MARK);
  if (from == NULL || !libc_sibling_can_dlopen ())
    return 0;
  bool same = strcmp (from, TINYRUN_COMMIT) == 0;
  if (!same)
    tr_error_plain (err, EINVAL, LIBC_SIBLING_NAME " is of commit %s, the tinyrun that ran it of %s: install the two "
                                 "from one build", TINYRUN_COMMIT, from);
  unsetenv (LIBC_SIBLING_MARK);
  return same ? 0 : -1;
}
