#include "config.h"
#include "util/fs_safe.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SYMLINKS 40

const char *
fd_path (int fd, char buf[static 64])
{
  snprintf (buf, 64, "/proc/self/fd/%d", fd);
  return buf;
}

/* -1: not known yet; 0: openat2 cannot be used; 1: it can. */
static int have_openat2 = -1;
/* -1: TINYRUN_FS_SAFE_FALLBACK not read yet; 1: the walk is forced. */
static int forced_fallback = -1;

void
fs_safe_force_fallback (bool force)
{
  forced_fallback = force ? 1 : 0;
}

static bool
fallback_forced (void)
{
  if (forced_fallback < 0)
    {
      const char *v = getenv ("TINYRUN_FS_SAFE_FALLBACK");
      forced_fallback = v && strcmp (v, "1") == 0;
    }
  return forced_fallback == 1;
}

/* openat2 of a path that always exists: tells a kernel without openat2
 * (ENOSYS) or a seccomp filter that refuses it (EPERM or ENOSYS, as in
 * nested containers) apart from a real error on one path. */
static bool
openat2_usable (void)
{
  if (have_openat2 >= 0)
    return have_openat2 == 1;
  struct tr_open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = TR_RESOLVE_IN_ROOT };
  int fd = sys_openat2 (AT_FDCWD, "/", &how);
  if (fd >= 0)
    close (fd);
  have_openat2 = fd >= 0 || (errno != ENOSYS && errno != EPERM);
  if (!have_openat2)
    log_debug ("openat2 unavailable (%s): resolving rootfs paths in userspace", strerror (errno));
  return have_openat2 == 1;
}

/* RESOLVE_IN_ROOT fails with EAGAIN when a rename elsewhere raced with a
 * ".." of the walk: try again a bounded number of times. */
#define OPENAT2_ATTEMPTS 64

int
safe_openat (int rootfd, const char *path, int flags, mode_t mode, tr_error_t *err)
{
  if (fallback_forced () || !openat2_usable ())
    return safe_openat_fallback (rootfd, path, flags, mode, err);
  struct tr_open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .mode = (flags & O_CREAT) ? mode : 0,
    .resolve = TR_RESOLVE_IN_ROOT | TR_RESOLVE_NO_MAGICLINKS,
  };
  const char *rel = path;
  while (*rel == '/')
    rel++;
  for (int attempt = 0;; attempt++)
    {
      int fd = sys_openat2 (rootfd, *rel ? rel : ".", &how);
      if (fd >= 0)
        return fd;
      if (errno != EAGAIN || attempt + 1 >= OPENAT2_ATTEMPTS)
        return tr_error (err, errno, "open %s", path);
    }
}

/* Put target in front of the unresolved rest `after`: used when a symlink
 * is met, its target replaces the component. */
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

/* How deep a walk may go below the root. */
#define MAX_DEPTH 256

/* The state of one walk: what is left to resolve, the directories reached
 * from the root (dirs[0] is the root, dirs[depth - 1] the current one,
 * each opened by name from the one before, never through a symlink), and
 * the symlinks followed.  ".." pops this stack: it never asks the kernel
 * for a parent, so a directory moved out of the root while we walk cannot
 * take the walk with it, and no name is resolved twice. */
struct walk
{
  const char *path; /* for errors */
  int dirs[MAX_DEPTH];
  size_t depth;
  char rest[PATH_MAX];
  int links;
};

static int
walk_cur (const struct walk *w)
{
  return w->dirs[w->depth - 1];
}

static void
walk_pop_to (struct walk *w, size_t depth)
{
  while (w->depth > depth)
    close (w->dirs[--w->depth]);
}

/* ".." never leaves the root: at the root it stays there. */
static void
walk_dotdot (struct walk *w)
{
  if (w->depth > 1)
    walk_pop_to (w, w->depth - 1);
}

/* comp is a symlink in the current directory: its target replaces it in
 * what is left; an absolute target starts again at the root. */
static int
walk_symlink (struct walk *w, const char *comp, const char *after, tr_error_t *err)
{
  char target[PATH_MAX];
  ssize_t len = readlinkat (walk_cur (w), comp, target, sizeof target - 1);
  if (len < 0)
    return tr_error (err, errno, "readlink %s", comp);
  target[len] = '\0';
  if (++w->links > MAX_SYMLINKS)
    return tr_error (err, ELOOP, "open %s", w->path);
  if (target[0] == '/')
    walk_pop_to (w, 1);
  if (push_path (w->rest, sizeof w->rest, target, after) < 0)
    return tr_error (err, ENAMETOOLONG, "open %s", w->path);
  return 0;
}

/* comp is a directory in the current one (never a symlink): step into it. */
static int
walk_descend (struct walk *w, const char *comp, const char *after, tr_error_t *err)
{
  if (w->depth >= MAX_DEPTH)
    return tr_error (err, ENAMETOOLONG, "open %s", w->path);
  int fd = openat (walk_cur (w), comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s", w->path);
  w->dirs[w->depth++] = fd;
  memmove (w->rest, after, strlen (after) + 1);
  return 0;
}

static void
walk_end (struct walk *w)
{
  walk_pop_to (w, 0);
}

static bool
is_symlink_at (int dirfd, const char *name)
{
  struct stat st;
  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode);
}

/* The next component of w->rest into comp (empty at the end) and what
 * follows it into *after. */
static int
walk_next (struct walk *w, char comp[static NAME_MAX + 1], const char **after, tr_error_t *err)
{
  char *p = w->rest;
  while (*p == '/')
    p++;
  char *end = strchrnul (p, '/');
  size_t n = (size_t) (end - p);
  if (n > NAME_MAX)
    return tr_error (err, ENAMETOOLONG, "open %s", w->path);
  memcpy (comp, p, n);
  comp[n] = '\0';
  while (*end == '/')
    end++;
  *after = end;
  return 0;
}

/* Resolve `path` lexically inside root, reading symlinks one component at
 * a time through O_NOFOLLOW opens.  Returns an O_PATH fd of the parent of
 * the last component and the last component's name in `last` (empty for
 * the root itself). */
static int
walk_to_parent (int rootfd, const char *path, char last[static NAME_MAX + 1], tr_error_t *err)
{
  __attribute__ ((cleanup (walk_end))) struct walk w = { .path = path };
  if (strlen (path) >= sizeof w.rest)
    return tr_error (err, ENAMETOOLONG, "open %s", path);
  strcpy (w.rest, path);
  w.dirs[0] = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (w.dirs[0] < 0)
    return tr_error (err, errno, "open rootfs");
  w.depth = 1;
  for (;;)
    {
      char comp[NAME_MAX + 1];
      const char *after = NULL;
      if (walk_next (&w, comp, &after, err) < 0)
        return -1;
      bool dots = strcmp (comp, ".") == 0 || strcmp (comp, "..") == 0;
      bool link = comp[0] != '\0' && !dots && is_symlink_at (walk_cur (&w), comp);
      int r = 0;
      if (comp[0] == '\0' || (*after == '\0' && !dots && !link))
        {
          strcpy (last, comp); /* the last component, or "" for the directory reached */
          return w.dirs[--w.depth];
        }
      if (dots)
        {
          if (comp[1] == '.')
            walk_dotdot (&w);
          memmove (w.rest, after, strlen (after) + 1);
        }
      else if (link)
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

/* name, just made in the resolved directory at: opened without following
 * anything (a symlink swapped in meanwhile fails with ENOTDIR). */
static int
open_made_dir (int at, const char *name, const char *path, tr_error_t *err)
{
  int fd = openat (at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s", path);
  return fd;
}

/* mkdir -p inside root.  What exists is followed (symlinks stay inside the
 * root); what does not is created relative to the already-resolved parent,
 * and so is everything below the first component made (no lookup of what
 * cannot exist).  A dangling symlink is followed too, and its target
 * created, the way runc treats /var/run -> /run in images that lack /run. */
static int
mkdir_all_depth (int rootfd, const char *path, mode_t mode, int links, tr_error_t *err)
{
  char prefix[PATH_MAX];
  const char *p = path;
  size_t used = 0;
  bool made = false;
  cleanup_close int cur = -1; /* -1 until the first component: the root */
  for (;;)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        {
          if (cur < 0 && (cur = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
            return tr_error (err, errno, "open rootfs");
          return steal_fd (&cur);
        }
      const char *end = strchrnul (p, '/');
      size_t n = (size_t) (end - p);
      if (used + n + 2 >= sizeof prefix || n > NAME_MAX)
        return tr_error (err, ENAMETOOLONG, "mkdir %s", path);
      size_t parent_len = used;
      prefix[used++] = '/';
      memcpy (prefix + used, p, n);
      used += n;
      prefix[used] = '\0';
      char name[NAME_MAX + 1];
      memcpy (name, p, n);
      name[n] = '\0';
      int at = cur >= 0 ? cur : rootfd;

      int fd = made ? -1 : safe_openat (rootfd, prefix, O_PATH | O_DIRECTORY, 0, NULL);
      if (fd < 0 && mkdirat (at, name, mode) == 0)
        {
          made = true;
          if ((fd = open_made_dir (at, name, prefix, err)) < 0)
            return -1;
        }
      else if (fd < 0)
        {
          if (errno != EEXIST)
            return tr_error (err, errno, "mkdir %s", prefix);
          /* Made by someone else since the lookup: resolve it again. */
          if (made && (fd = safe_openat (rootfd, prefix, O_PATH | O_DIRECTORY, 0, NULL)) >= 0)
            made = false;
          else
            {
              char target[PATH_MAX];
              ssize_t len = readlinkat (at, name, target, sizeof target - 1);
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
        }
      if (cur >= 0)
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

/* The last component of path (without trailing slashes) in last, the
 * rest in parent ("/" for a top-level name); false when there is none. */
static bool
split_last (const char *path, char parent[static PATH_MAX], char last[static NAME_MAX + 1])
{
  size_t len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    len--;
  size_t start = len;
  while (start > 0 && path[start - 1] != '/')
    start--;
  if (len == start || len - start > NAME_MAX || start >= PATH_MAX)
    return false;
  memcpy (last, path + start, len - start);
  last[len - start] = '\0';
  snprintf (parent, PATH_MAX, "%.*s", (int) start, path);
  if (parent[0] == '\0')
    strcpy (parent, "/");
  return true;
}

/* The final component, made in its resolved parent dir (an O_PATH fd
 * serves as the directory of mkdirat and openat(O_CREAT)).  Something
 * there already (a race, a dangling symlink) is left to the general
 * path, as before. */
static int
make_last (int rootfd, int dir, const char *last, const char *path, enum mount_target_kind kind, tr_error_t *err)
{
  if (kind == TARGET_DIR)
    {
      if (mkdirat (dir, last, 0755) == 0)
        return open_made_dir (dir, last, path, err);
      if (errno != EEXIST)
        return tr_error (err, errno, "mkdir %s", path);
      return mkdir_all_in_root (rootfd, path, 0755, err);
    }
  int f = openat (dir, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (f < 0 && errno != EEXIST)
    return tr_error (err, errno, "create %s", path);
  if (f < 0)
    return safe_openat (rootfd, path, O_PATH, 0, err);
  close (f);
  int fd = openat (dir, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s", path);
  return fd;
}

int
open_mount_target (int rootfd, const char *path, enum mount_target_kind kind, tr_error_t *err)
{
  int fd = safe_openat (rootfd, path, O_PATH, 0, NULL);
  if (fd >= 0)
    return fd;
  const char *slash = strrchr (path, '/');
  if (kind == TARGET_FILE && (slash == NULL || slash[1] == '\0'))
    return tr_error_plain (err, EINVAL, "mount target %s", path);
  char parent[PATH_MAX], last[NAME_MAX + 1];
  if (!split_last (path, parent, last))
    return mkdir_all_in_root (rootfd, path, 0755, err);
  /* Usually the parent exists and only the target is new. */
  cleanup_close int dir = safe_openat (rootfd, parent, O_PATH | O_DIRECTORY, 0, NULL);
  if (dir < 0 && (dir = mkdir_all_in_root (rootfd, parent, 0755, err)) < 0)
    return -1;
  return make_last (rootfd, dir, last, path, kind, err);
}
