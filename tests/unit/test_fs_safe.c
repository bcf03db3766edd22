/* Resolving paths inside a rootfs: symlinks and ".." never leave it, with
 * openat2(RESOLVE_IN_ROOT) and with the userspace fallback. */
#include "unit.h"
#include "util/cleanup.h"
#include "util/fs_safe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/tinyrun-unit-XXXXXX";

static int
setup (void)
{
  if (mkdtemp (root) == NULL)
    return -1;
  char p[256];
  snprintf (p, sizeof p, "%s/etc", root);
  mkdir (p, 0755);
  snprintf (p, sizeof p, "%s/etc/inside", root);
  close (open (p, O_CREAT | O_WRONLY, 0644));
  snprintf (p, sizeof p, "%s/abs", root);
  symlink ("/etc", p);          /* absolute: must resolve to <root>/etc */
  snprintf (p, sizeof p, "%s/up", root);
  symlink ("../../../../etc", p); /* climbing: must stop at <root> */
  snprintf (p, sizeof p, "%s/loop", root);
  symlink ("loop", p);
  snprintf (p, sizeof p, "%s/loopa", root);
  symlink ("loopb/x", p); /* a loop of two */
  snprintf (p, sizeof p, "%s/loopb", root);
  symlink ("/loopa", p);
  snprintf (p, sizeof p, "%s/etc/dotdot", root);
  symlink ("..", p); /* chained, climbs past the root */
  snprintf (p, sizeof p, "%s/chain", root);
  symlink ("etc/dotdot/etc/dotdot/etc/dotdot/../../etc/dotdot", p);
  snprintf (p, sizeof p, "%s/absup", root);
  symlink ("/../etc/dotdot/../../etc", p); /* absolute, then climbing */
  return open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

typedef int (*opener) (int, const char *, int, mode_t, tr_error_t *);

static void
check_resolution (int rootfd, opener open_fn, int *unit_failed_)
{
  tr_error_t err = NULL;
  struct stat want, got;
  char p[256];
  snprintf (p, sizeof p, "%s/etc/inside", root);
  stat (p, &want);
  const char *paths[] = { "/etc/inside", "abs/inside", "/up/inside", "/../../etc/inside", "etc/../etc/./inside" };
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    {
      int fd = open_fn (rootfd, paths[i], O_PATH, 0, &err);
      CHECK (fd >= 0);
      if (fd >= 0)
        {
          fstat (fd, &got);
          CHECK (got.st_ino == want.st_ino);
          close (fd);
        }
    }
  /* /etc/passwd exists on the host but not in the root. */
  CHECK (open_fn (rootfd, "/abs/passwd", O_PATH, 0, &err) < 0);
  CHECK (open_fn (rootfd, "/loop", O_RDONLY, 0, &err) < 0);
  tr_error_free (&err);
}

static bool
same_file (int fd, const char *rel)
{
  char p[256];
  struct stat want, got;
  snprintf (p, sizeof p, "%s/%s", root, rel);
  return fd >= 0 && stat (p, &want) == 0 && fstat (fd, &got) == 0 && want.st_dev == got.st_dev
         && want.st_ino == got.st_ino;
}

/* The walk itself: ".." at the root stays there, chains of symlinks to
 * ".." stop at the root, absolute targets restart at it, loops end. */
static void
check_walker (int rootfd, opener open_fn, int *unit_failed_)
{
  tr_error_t err = NULL;
  static const char *const at_root[] = { "/..", "..", "../..", "/etc/dotdot/..", "etc/dotdot/etc/dotdot", "chain",
                                         "/./../etc/../.." };
  for (size_t i = 0; i < sizeof at_root / sizeof at_root[0]; i++)
    {
      cleanup_close int fd = open_fn (rootfd, at_root[i], O_PATH, 0, &err);
      CHECK (same_file (fd, "."));
    }
  static const char *const at_inside[] = { "/etc/dotdot/etc/dotdot/../../etc/inside", "chain/etc/inside",
                                           "absup/inside", "etc/dotdot/abs/inside", "up/dotdot/up/../etc/inside" };
  for (size_t i = 0; i < sizeof at_inside / sizeof at_inside[0]; i++)
    {
      cleanup_close int fd = open_fn (rootfd, at_inside[i], O_PATH, 0, &err);
      CHECK (same_file (fd, "etc/inside"));
    }
  CHECK (open_fn (rootfd, "/loopa", O_PATH, 0, &err) < 0);
  CHECK (err && err->status == ELOOP);
  tr_error_free (&err);
  CHECK (open_fn (rootfd, "etc/inside/..", O_PATH, 0, &err) < 0);
  CHECK (err && err->status == ENOTDIR);
  tr_error_free (&err);
}

TEST (fs_safe_resolution)
{
  cleanup_close int rootfd = setup ();
  CHECK (rootfd >= 0);
  check_resolution (rootfd, safe_openat, unit_failed_);
  check_resolution (rootfd, safe_openat_fallback, unit_failed_);
  check_walker (rootfd, safe_openat, unit_failed_);
  check_walker (rootfd, safe_openat_fallback, unit_failed_);
  fs_safe_force_fallback (true);
  check_resolution (rootfd, safe_openat, unit_failed_);
  check_walker (rootfd, safe_openat, unit_failed_);
  fs_safe_force_fallback (false);
}

static void
check_mkdir (int rootfd, const char *tag, int *unit_failed_)
{
  tr_error_t err = NULL;
  char p[256], rel[128];
  struct stat st;
  /* Creating through an absolute symlink lands inside the root. */
  snprintf (p, sizeof p, "/abs/new-%s/dir", tag);
  int fd = mkdir_all_in_root (rootfd, p, 0755, &err);
  CHECK (fd >= 0);
  close (fd);
  snprintf (p, sizeof p, "%s/etc/new-%s/dir", root, tag);
  CHECK (stat (p, &st) == 0 && S_ISDIR (st.st_mode));
  /* ... and through a chain of ".." links too. */
  snprintf (p, sizeof p, "chain/etc/dotdot/made-%s", tag);
  fd = mkdir_all_in_root (rootfd, p, 0755, &err);
  snprintf (rel, sizeof rel, "made-%s", tag);
  CHECK (same_file (fd, rel));
  close (fd);
  snprintf (p, sizeof p, "/up/file-target-%s", tag);
  fd = open_mount_target (rootfd, p, TARGET_FILE, &err);
  CHECK (fd >= 0);
  close (fd);
  snprintf (p, sizeof p, "%s/etc/file-target-%s", root, tag);
  CHECK (stat (p, &st) == 0 && S_ISREG (st.st_mode));
  /* A directory target made in its parent, resolved through a link. */
  snprintf (p, sizeof p, "/up/dir-target-%s", tag);
  fd = open_mount_target (rootfd, p, TARGET_DIR, &err);
  snprintf (rel, sizeof rel, "etc/dir-target-%s", tag);
  CHECK (same_file (fd, rel));
  close (fd);
  /* A dangling link as the target: its target is made, inside the root. */
  snprintf (p, sizeof p, "%s/etc/dangling-%s", root, tag);
  symlink ("/etc/made-by-link", p);
  snprintf (p, sizeof p, "/etc/dangling-%s", tag);
  fd = open_mount_target (rootfd, p, TARGET_DIR, &err);
  CHECK (same_file (fd, "etc/made-by-link"));
  close (fd);
  snprintf (p, sizeof p, "%s/etc/made-by-link", root);
  rmdir (p);
  tr_error_free (&err);
}

TEST (fs_safe_mkdir_and_targets)
{
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  check_mkdir (rootfd, "openat2", unit_failed_);
  fs_safe_force_fallback (true);
  check_mkdir (rootfd, "fallback", unit_failed_);
  fs_safe_force_fallback (false);
  char cmd[300];
  snprintf (cmd, sizeof cmd, "rm -rf %s", root);
  CHECK (system (cmd) == 0);
}
