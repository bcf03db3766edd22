#include "config.h"
#include "util/fileutil.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
write_all_fd (int fd, const void *buf, size_t len, tr_error_t *err)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return tr_error (err, errno, "write");
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

int
write_file_at (int dirfd, const char *name, const char *text, tr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return tr_error (err, errno, "open %s", name);
  size_t len = strlen (text);
  /* Kernel interface files take one write(); a short write is an error. */
  ssize_t n = write (fd, text, len);
  if (n < 0)
    return tr_error (err, errno, "write %s to %s", text, name);
  if ((size_t) n != len)
    return tr_error (err, EIO, "short write to %s", name);
  return 0;
}

int
write_file_atomic_at (int dirfd, const char *name, const char *text, size_t len, mode_t mode, tr_error_t *err)
{
  char tmp[PATH_MAX];
  snprintf (tmp, sizeof tmp, ".%s.tmp-%d", name, getpid ());
  cleanup_close int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return tr_error (err, errno, "create %s", tmp);
  if (write_all_fd (fd, text, len, err) < 0)
    {
      unlinkat (dirfd, tmp, 0);
      return tr_error_wrap (err, "%s", tmp);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return tr_error (err, saved, "rename %s to %s", tmp, name);
    }
  return 0;
}

char *
read_file_at (int dirfd, const char *name, size_t *len, tr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      tr_error (err, errno, "open %s", name);
      return NULL;
    }
  return read_fd_all (fd, name, len, err);
}

char *
read_fd_all (int fd, const char *name, size_t *len, tr_error_t *err)
{
  size_t cap = 4096, used = 0;
  cleanup_free char *buf = malloc (cap + 1);
  if (buf == NULL)
    {
      tr_error (err, ENOMEM, "read %s", name);
      return NULL;
    }
  for (;;)
    {
      if (used == cap)
        {
          if (cap >= 16 * 1024 * 1024)
            {
              tr_error (err, EFBIG, "read %s", name);
              return NULL;
            }
          char *bigger = realloc (buf, cap * 2 + 1);
          if (bigger == NULL)
            {
              tr_error (err, ENOMEM, "read %s", name);
              return NULL;
            }
          buf = bigger;
          cap *= 2;
        }
      ssize_t n = read (fd, buf + used, cap - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          /* A non-blocking pipe (a runtime's stdin for a hook): wait. */
          struct pollfd p = { .fd = fd, .events = POLLIN };
          if (poll (&p, 1, -1) >= 0 || errno == EINTR)
            continue;
        }
      if (n < 0)
        {
          tr_error (err, errno, "read %s", name);
          return NULL;
        }
      if (n == 0)
        break;
      used += (size_t) n;
    }
  buf[used] = '\0';
  if (len)
    *len = used;
  return steal_ptr (&buf);
}

char *
read_regular_fd (int fd, const char *what, size_t max, size_t *len, tr_error_t *err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      tr_error (err, errno, "%s: stat", what);
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      tr_error_plain (err, EINVAL, "%s: not a regular file", what);
      return NULL;
    }
  size_t cap = 4096, used = 0;
  cleanup_free char *buf = NULL;
  for (;;)
    {
      if (buf == NULL || used == cap)
        {
          cap = buf == NULL ? cap : cap * 2;
          if (cap > max + 1)
            cap = max + 1;
          char *bigger = realloc (buf, cap + 1);
          if (bigger == NULL)
            {
              tr_error (err, ENOMEM, "read %s", what);
              return NULL;
            }
          buf = bigger;
        }
      ssize_t n = read (fd, buf + used, cap - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          tr_error (err, errno, "read %s", what);
          return NULL;
        }
      if (n == 0)
        break;
      used += (size_t) n;
      if (used > max)
        {
          tr_error_plain (err, EFBIG, "%s: larger than %zu bytes", what, max);
          return NULL;
        }
    }
  buf[used] = '\0';
  if (len)
    *len = used;
  return steal_ptr (&buf);
}

char *
read_regular_file_at (int dirfd, const char *name, const char *what, size_t max, size_t *len, tr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      tr_error (err, errno, "open %s", name);
      return NULL;
    }
  return read_regular_fd (fd, what, max, len, err);
}

int
mkdir_p (const char *path, mode_t mode, tr_error_t *err)
{
  cleanup_free char *copy = strdup (path);
  if (copy == NULL)
    return tr_error (err, ENOMEM, "mkdir %s", path);
  for (char *p = copy + 1; *p; p++)
    {
      if (*p != '/')
        continue;
      *p = '\0';
      if (mkdir (copy, mode) < 0 && errno != EEXIST)
        return tr_error (err, errno, "mkdir %s", copy);
      *p = '/';
    }
  if (mkdir (copy, mode) < 0 && errno != EEXIST)
    return tr_error (err, errno, "mkdir %s", copy);
  return 0;
}

char *
path_join (const char *a, const char *b)
{
  char *out = NULL;
  size_t la = strlen (a);
  while (la > 1 && a[la - 1] == '/')
    la--;
  while (*b == '/')
    b++;
  if (asprintf (&out, "%.*s%s%s", (int) la, a, (la == 1 && a[0] == '/') ? "" : "/", b) < 0)
    return NULL;
  return out;
}

/* Lexical clean-up: collapse "//", "." and "..", never above "/". */
static void
clean_path (char *p)
{
  char *out = p, *in = p;
  while (*in)
    {
      while (*in == '/')
        in++;
      if (*in == '\0')
        break;
      char *end = strchrnul (in, '/');
      size_t n = (size_t) (end - in);
      if (n == 1 && in[0] == '.')
        ;
      else if (n == 2 && in[0] == '.' && in[1] == '.')
        {
          while (out > p && *(out - 1) != '/')
            out--;
          if (out > p)
            out--;
        }
      else
        {
          *out++ = '/';
          memmove (out, in, n);
          out += n;
        }
      in = end;
    }
  if (out == p)
    *out++ = '/';
  *out = '\0';
}

char *
make_absolute (const char *path, tr_error_t *err)
{
  char *out;
  if (path[0] == '/')
    out = strdup (path);
  else
    {
      char cwd[PATH_MAX];
      if (getcwd (cwd, sizeof cwd) == NULL)
        {
          tr_error (err, errno, "getcwd");
          return NULL;
        }
      out = path_join (cwd, path);
    }
  if (out == NULL)
    {
      tr_error (err, ENOMEM, "%s", path);
      return NULL;
    }
  clean_path (out);
  return out;
}

bool
file_exists_at (int dirfd, const char *name)
{
  struct stat st;
  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int
write_pid_file (const char *path, pid_t pid, tr_error_t *err)
{
  cleanup_free char *abs = make_absolute (path, err);
  if (abs == NULL)
    return -1;
  char *slash = strrchr (abs, '/');
  *slash = '\0';
  cleanup_close int dirfd = open (abs[0] ? abs : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return tr_error (err, errno, "pid file directory %s", abs);
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", pid);
  if (write_file_atomic_at (dirfd, slash + 1, buf, (size_t) n, 0644, err) < 0)
    return tr_error_wrap (err, "pid file %s", path);
  return 0;
}

int
self_exe_split (struct self_exe *exe, tr_error_t *err)
{
  /* Read into an array of our own: GCC 12's -Wnonnull, with UBSan, takes
   * the readlink of a caller's buffer for a null one. */
  char path[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    return tr_error (err, errno, "readlink /proc/self/exe");
  path[n] = '\0';
  char *slash = strrchr (path, '/');
  if (path[0] != '/' || slash == NULL || slash[1] == '\0')
    return tr_error_plain (err, EINVAL, "/proc/self/exe: %s is not a path", path);
  *slash = '\0';
  memcpy (exe->dir, path, (size_t) n + 1);
  exe->name = exe->dir + (slash + 1 - path);
  return 0;
}
