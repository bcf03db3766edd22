/* Resolving paths inside a rootfs: symlinks and ".." never leave it, with
 * openat2(RESOLVE_IN_ROOT) and with the userspace fallback. */
#include "unit.h"
#include "util/cleanup.h"
#include "util/fs_safe.h"

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

TEST (fs_safe_resolution)
{
  cleanup_close int rootfd = setup ();
  CHECK (rootfd >= 0);
  check_resolution (rootfd, safe_openat, unit_failed_);
  check_resolution (rootfd, safe_openat_fallback, unit_failed_);
}

TEST (fs_safe_mkdir_and_targets)
{
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  tr_error_t err = NULL;
  /* Creating through an absolute symlink lands inside the root. */
  int fd = mkdir_all_in_root (rootfd, "/abs/new/dir", 0755, &err);
  CHECK (fd >= 0);
  close (fd);
  char p[256];
  struct stat st;
  snprintf (p, sizeof p, "%s/etc/new/dir", root);
  CHECK (stat (p, &st) == 0 && S_ISDIR (st.st_mode));
  fd = open_mount_target (rootfd, "/up/file-target", TARGET_FILE, &err);
  CHECK (fd >= 0);
  close (fd);
  snprintf (p, sizeof p, "%s/etc/file-target", root);
  CHECK (stat (p, &st) == 0 && S_ISREG (st.st_mode));
  tr_error_free (&err);
  char cmd[300];
  snprintf (cmd, sizeof cmd, "rm -rf %s", root);
  CHECK (system (cmd) == 0);
}
