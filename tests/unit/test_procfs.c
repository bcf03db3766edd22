/* linux/procfs.h: the procfs handle and the check of proc mount
 * destinations (no root needed: the handle falls back to /proc). */
#include "unit.h"
#include "linux/procfs.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

TEST (procfs_handle_opens_beneath_without_magic_links)
{
  tr_error_t err = NULL;
  cleanup_close int procfd = procfs_open_root (&err);
  CHECK (procfd >= 0);
  cleanup_close int fd = procfs_open_file (procfd, "self/oom_score_adj", O_RDONLY, &err);
  CHECK (fd >= 0);
  cleanup_close int fd2 = procfs_open_file (procfd, "thread-self/stat", O_RDONLY, &err);
  CHECK (fd2 >= 0);
  /* A magic link (here to a file outside procfs) is refused. */
  CHECK (procfs_open_file (procfd, "self/exe", O_RDONLY, &err) < 0);
  CHECK (err != NULL);
  tr_error_free (&err);
  CHECK (procfs_open_file (procfd, "../etc/passwd", O_RDONLY, &err) < 0);
  tr_error_free (&err);
}

TEST (procfs_reopen_fd_reopens)
{
  tr_error_t err = NULL;
  cleanup_close int path = open ("/proc/self/stat", O_PATH | O_CLOEXEC);
  cleanup_close int fd = procfs_reopen_fd (path, O_RDONLY, &err);
  CHECK (fd >= 0);
  char c;
  CHECK (fd >= 0 && read (fd, &c, 1) == 1);
  tr_error_free (&err);
}

static struct spec *
spec_with_proc (const char *dest)
{
  char json[512];
  snprintf (json, sizeof json,
            "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": [\"sh\"], "
            "\"cwd\": \"/\"}, \"mounts\": [{\"destination\": \"/dev\", \"type\": \"tmpfs\"}, "
            "{\"destination\": \"%s\", \"type\": \"proc\", \"source\": \"proc\"}]}",
            dest);
  return spec_parse (json, strlen (json), NULL);
}

TEST (procfs_mount_destination_symlink_refused)
{
  char root[] = "/tmp/tinyrun-unit-procfs.XXXXXX";
  CHECK (mkdtemp (root) != NULL);
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK (mkdirat (rootfd, "realproc", 0755) == 0 && mkdirat (rootfd, "sub", 0755) == 0);
  CHECK (symlinkat ("realproc", rootfd, "proc") == 0 && symlinkat ("sub", rootfd, "link") == 0);
  tr_error_t err = NULL;
  struct spec *s = spec_with_proc ("/proc");
  CHECK (s && procfs_check_mount_destinations (s, rootfd, &err) < 0);
  CHECK_ERR (err, "mounts[1]: destination /proc is a symlink");
  tr_error_free (&err);
  spec_free (s);
  s = spec_with_proc ("/link/proc");
  CHECK (s && procfs_check_mount_destinations (s, rootfd, &err) < 0);
  tr_error_free (&err);
  spec_free (s);
  s = spec_with_proc ("/realproc");
  CHECK (s && procfs_check_mount_destinations (s, rootfd, &err) == 0);
  spec_free (s);
  s = spec_with_proc ("/missing/proc");
  CHECK (s && procfs_check_mount_destinations (s, rootfd, &err) == 0);
  spec_free (s);
  unlinkat (rootfd, "proc", 0);
  unlinkat (rootfd, "link", 0);
  unlinkat (rootfd, "realproc", AT_REMOVEDIR);
  unlinkat (rootfd, "sub", AT_REMOVEDIR);
  rmdir (root);
}
