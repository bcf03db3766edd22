#include "config.h"
#include "util/copy_tree.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

static int
copy_file (int from_dir, int to_dir, const char *name, const struct stat *st, tr_error_t *err)
{
  cleanup_close int in = openat (from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return tr_error (err, errno, "open %s", name);
  cleanup_close int out = openat (to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
  if (out < 0)
    return tr_error (err, errno, "create %s", name);
  for (off_t left = st->st_size; left > 0;)
    {
      ssize_t n = sendfile (out, in, NULL, (size_t) left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? tr_error (err, errno, "copy %s", name) : 0;
      left -= n;
    }
  return 0;
}

static int
copy_entry (int from_dir, int to_dir, const char *name, tr_error_t *err)
{
  struct stat st;
  if (fstatat (from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return tr_error (err, errno, "stat %s", name);
  if (S_ISDIR (st.st_mode))
    {
      if (mkdirat (to_dir, name, st.st_mode & 07777) < 0 && errno != EEXIST)
        return tr_error (err, errno, "mkdir %s", name);
      cleanup_close int from = openat (from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      cleanup_close int to = openat (to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (from < 0 || to < 0)
        return tr_error (err, errno, "open %s", name);
      if (copy_tree (from, to, err) < 0)
        return tr_error_wrap (err, "%s", name);
    }
  else if (S_ISREG (st.st_mode))
    {
      if (copy_file (from_dir, to_dir, name, &st, err) < 0)
        return -1;
    }
  else if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (from_dir, name, target, sizeof target - 1);
      if (n < 0)
        return tr_error (err, errno, "readlink %s", name);
      target[n] = '\0';
      if (symlinkat (target, to_dir, name) < 0)
        return tr_error (err, errno, "symlink %s", name);
    }
  else if (mknodat (to_dir, name, st.st_mode, st.st_rdev) < 0)
    return tr_error (err, errno, "mknod %s", name);
  if (fchownat (to_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return tr_error (err, errno, "chown %s", name);
  return 0;
}

int
copy_tree (int from_dir, int to_dir, tr_error_t *err)
{
  int fd = openat (from_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open directory");
  cleanup_dir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return tr_error (err, errno, "read directory");
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
        continue;
      if (copy_entry (from_dir, to_dir, de->d_name, err) < 0)
        return -1;
    }
  return 0;
}
