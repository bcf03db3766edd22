#include "config.h"
#include "util/fs_safe.h"
#include "util/cleanup.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SYMLINKS 40

const char *
fd_path (int fd, char buf[static 64])
{
  snprintf (buf, 64, "/proc/self/fd/%d", fd);
  return buf;
}

/* -1: not known yet; 0: the kernel lacks openat2; 1: it has it. */
static int have_openat2 = -1;

int
safe_openat (int rootfd, const char *path, int flags, mode_t mode, tr_error_t *err)
{
  if (have_openat2 != 0)
    {
      struct tr_open_how how = {
        .flags = (uint64_t) (flags | O_CLOEXEC),
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = TR_RESOLVE_IN_ROOT | TR_RESOLVE_NO_MAGICLINKS,
      };
      const char *rel = path;
      while (*rel == '/')
        rel++;
      int fd = sys_openat2 (rootfd, *rel ? rel : ".", &how);
      if (fd >= 0)
        {
          have_openat2 = 1;
          return fd;
        }
      if (errno != ENOSYS)
        return tr_error (err, errno, "open %s", path);
      have_openat2 = 0;
    }
  return safe_openat_fallback (rootfd, path, flags, mode, err);
}

/* Append the components of `more` in front of the unresolved rest: used
 * when a symlink is met, its target replaces the component. */
static int
push_path (char *rest, size_t size, const char *target, const char *after)
{
  char tmp[PATH_MAX];
  int n = snprintf (tmp, sizeof tmp, "%s/%s", target, after);
  if (n < 0 || (size_t) n >= sizeof tmp || (size_t) n >= size)
    return -1;
  memcpy (rest, tmp, (size_t) n + 1);
  return 0;
}

/* The state of one walk: what is left to resolve, the directory reached so
 * far (cur, and its path from the root in `resolved`), and the symlinks
 * followed. */
struct walk
{
  int rootfd;
  const char *path; /* for errors */
  int cur;
  char rest[PATH_MAX];
  char resolved[PATH_MAX];
  int links;
};

/* Move cur to fd (an open that may have failed). */
static int
walk_move (struct walk *w, int fd, const char *what, tr_error_t *err)
{
  if (fd < 0)
    return tr_error (err, errno, "open %s", what);
  close (w->cur);
  w->cur = fd;
  return 0;
}

/* ".." never leaves the root: re-walk the shortened prefix. */
static int
walk_dotdot (struct walk *w, tr_error_t *err)
{
  char *slash = strrchr (w->resolved, '/');
  if (slash)
    *slash = '\0';
  else
    w->resolved[0] = '\0';
  int fd = w->resolved[0] ? openat (w->rootfd, w->resolved, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                          : openat (w->rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  return walk_move (w, fd, w->path, err);
}

/* comp is a symlink in cur: its target replaces it in what is left; an
 * absolute target starts again at the root. */
static int
walk_symlink (struct walk *w, const char *comp, const char *after, tr_error_t *err)
{
  char target[PATH_MAX];
  ssize_t len = readlinkat (w->cur, comp, target, sizeof target - 1);
  if (len < 0)
    return tr_error (err, errno, "readlink %s", comp);
  target[len] = '\0';
  if (++w->links > MAX_SYMLINKS)
    return tr_error (err, ELOOP, "open %s", w->path);
  if (target[0] == '/')
    {
      w->resolved[0] = '\0';
      if (walk_move (w, openat (w->rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC), "rootfs", err) < 0)
        return -1;
    }
  if (push_path (w->rest, sizeof w->rest, target, after) < 0)
    return tr_error (err, ENAMETOOLONG, "open %s", w->path);
  return 0;
}

/* comp is a directory in cur (never a symlink): step into it. */
static int
walk_descend (struct walk *w, const char *comp, const char *after, tr_error_t *err)
{
  if (walk_move (w, openat (w->cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), w->path, err) < 0)
    return -1;
  size_t rl = strlen (w->resolved);
  if (rl + strlen (comp) + 2 >= sizeof w->resolved)
    return tr_error (err, ENAMETOOLONG, "open %s", w->path);
  snprintf (w->resolved + rl, sizeof w->resolved - rl, "%s%s", rl ? "/" : "", comp);
  memmove (w->rest, after, strlen (after) + 1);
  return 0;
}

/* Resolve `path` lexically inside root, reading symlinks one component at a
 * time through O_NOFOLLOW opens.  Returns the O_PATH fd of the parent of the
 * last component and the last component's name in `last` (empty for "/"). */
static void
walk_end (struct walk *w)
{
  if (w->cur >= 0)
    close (w->cur);
}

static bool
is_symlink_at (int dirfd, const char *name)
{
  struct stat st;
  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode);
}

static int
walk_to_parent (int rootfd, const char *path, char last[static NAME_MAX + 1], tr_error_t *err)
{
  __attribute__ ((cleanup (walk_end))) struct walk w = { .rootfd = rootfd, .path = path, .cur = -1 };
  if (strlen (path) >= sizeof w.rest)
    return tr_error (err, ENAMETOOLONG, "open %s", path);
  strcpy (w.rest, path);
  w.cur = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (w.cur < 0)
    return tr_error (err, errno, "open rootfs");

  for (;;)
    {
      char *p = w.rest;
      while (*p == '/')
        p++;
      char *end = strchrnul (p, '/');
      size_t n = (size_t) (end - p);
      if (n > NAME_MAX)
        return tr_error (err, ENAMETOOLONG, "open %s", path);
      char comp[NAME_MAX + 1];
      memcpy (comp, p, n);
      comp[n] = '\0';
      const char *after = end;
      while (*after == '/')
        after++;
      int r = 0;
      if (n == 0 || (*after == '\0' && strcmp (comp, ".") != 0 && strcmp (comp, "..") != 0
                     && !is_symlink_at (w.cur, comp)))
        {
          strcpy (last, comp); /* the last component, or "" for the root */
          return steal_fd (&w.cur);
        }
      if (strcmp (comp, ".") == 0 || strcmp (comp, "..") == 0)
        {
          if (comp[1] == '.')
            r = walk_dotdot (&w, err);
          memmove (w.rest, after, strlen (after) + 1);
        }
      else if (is_symlink_at (w.cur, comp))
        r = walk_symlink (&w, comp, after, err);
      else
        r = walk_descend (&w, comp, after, err);
      if (r < 0)
        return -1;
    }
}

int
safe_openat_fallback (int rootfd, const char *path, int flags, mode_t mode, tr_error_t *err)
{
  char last[NAME_MAX + 1];
  cleanup_close int parent = walk_to_parent (rootfd, path, last, err);
  if (parent < 0)
    return -1;
  int fd;
  if (last[0] == '\0')
    fd = openat (parent, ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
  else
    fd = openat (parent, last, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return tr_error (err, errno, "open %s", path);
  return fd;
}

/* mkdir -p inside root.  What exists is followed (symlinks stay inside the
 * root); what does not is created relative to the already-resolved parent.
 * A dangling symlink is followed too, and its target created, the way
 * runc treats /var/run -> /run in images that lack /run. */
static int
mkdir_all_depth (int rootfd, const char *path, mode_t mode, int links, tr_error_t *err)
{
  char prefix[PATH_MAX];
  const char *p = path;
  size_t used = 0;
  cleanup_close int cur = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return tr_error (err, errno, "open rootfs");
  for (;;)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        return steal_fd (&cur);
      const char *end = strchrnul (p, '/');
      size_t n = (size_t) (end - p);
      if (used + n + 2 >= sizeof prefix || n > NAME_MAX)
        return tr_error (err, ENAMETOOLONG, "mkdir %s", path);
      size_t parent_len = used;
      prefix[used++] = '/';
      memcpy (prefix + used, p, n);
      used += n;
      prefix[used] = '\0';

      int fd = safe_openat (rootfd, prefix, O_PATH | O_DIRECTORY, 0, NULL);
      if (fd < 0)
        {
          char name[NAME_MAX + 1];
          memcpy (name, p, n);
          name[n] = '\0';
          if (mkdirat (cur, name, mode) < 0)
            {
              if (errno != EEXIST)
                return tr_error (err, errno, "mkdir %s", prefix);
              char target[PATH_MAX];
              ssize_t len = readlinkat (cur, name, target, sizeof target - 1);
              if (len < 0)
                return tr_error (err, ENOTDIR, "mkdir %s", prefix);
              target[len] = '\0';
              if (++links > MAX_SYMLINKS)
                return tr_error (err, ELOOP, "mkdir %s", path);
              char next[PATH_MAX];
              int w = target[0] == '/' ? snprintf (next, sizeof next, "%s/%s", target, end)
                                       : snprintf (next, sizeof next, "%.*s/%s/%s", (int) parent_len, prefix,
                                                   target, end);
              if (w < 0 || (size_t) w >= sizeof next)
                return tr_error (err, ENAMETOOLONG, "mkdir %s", path);
              return mkdir_all_depth (rootfd, next, mode, links, err);
            }
          fd = safe_openat (rootfd, prefix, O_PATH | O_DIRECTORY, 0, err);
          if (fd < 0)
            return -1;
        }
      close (cur);
      cur = fd;
      p = end;
    }
}

int
mkdir_all_in_root (int rootfd, const char *path, mode_t mode, tr_error_t *err)
{
  return mkdir_all_depth (rootfd, path, mode, 0, err);
}

int
open_mount_target (int rootfd, const char *path, enum mount_target_kind kind, tr_error_t *err)
{
  int fd = safe_openat (rootfd, path, O_PATH, 0, NULL);
  if (fd >= 0)
    return fd;
  if (kind == TARGET_DIR)
    return mkdir_all_in_root (rootfd, path, 0755, err);

  /* A file: create the parents, then the file inside the resolved parent. */
  char parent[PATH_MAX];
  const char *slash = strrchr (path, '/');
  if (slash == NULL || slash[1] == '\0')
    return tr_error_plain (err, EINVAL, "mount target %s", path);
  snprintf (parent, sizeof parent, "%.*s", (int) (slash - path), path);
  cleanup_close int dirfd = mkdir_all_in_root (rootfd, parent[0] ? parent : "/", 0755, err);
  if (dirfd < 0)
    return -1;
  /* O_PATH fds cannot be used with openat(O_CREAT): reopen the directory. */
  cleanup_close int dir = safe_openat (rootfd, parent[0] ? parent : "/", O_RDONLY | O_DIRECTORY, 0, err);
  if (dir < 0)
    return -1;
  int f = openat (dir, slash + 1, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (f < 0 && errno != EEXIST)
    return tr_error (err, errno, "create %s", path);
  if (f >= 0)
    close (f);
  return safe_openat (rootfd, path, O_PATH, 0, err);
}
