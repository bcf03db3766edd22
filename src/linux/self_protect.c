#include "config.h"
#include "linux/self_protect.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define REEXEC_MARK "_TINYRUN_READONLY_EXE"
#define TR_MOUNT_ATTR_RDONLY 0x00000001

extern char **environ;

int
self_protect_before_entering (tr_error_t *err)
{
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return tr_error (err, errno, "prctl PR_SET_DUMPABLE");
  return 0;
}

static bool
has_ptrace (const struct spec_process *p)
{
  if (p == NULL)
    return false;
  const struct spec_capabilities *c = p->capabilities;
  if (c == NULL)
    return true;
  const strlist *sets[] = { &c->bounding, &c->effective, &c->inheritable, &c->permitted, &c->ambient };
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
    for (size_t j = 0; j < sets[i]->n; j++)
      if (strcasecmp (sets[i]->v[j], "CAP_SYS_PTRACE") == 0)
        return true;
  return false;
}

bool
self_protect_ptrace_reachable (const struct spec *spec, const struct spec_process *extra)
{
  if (spec_find_namespace (spec, NS_USER) != NULL)
    return false;
  return has_ptrace (spec->process) || has_ptrace (extra);
}

bool
self_protect_pid_exe_readonly (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/exe", (int) pid);
  struct statvfs v;
  return statvfs (path, &v) == 0 && (v.f_flag & ST_RDONLY);
}

static bool
exe_is_readonly (void)
{
  struct statvfs v;
  return statvfs ("/proc/self/exe", &v) == 0 && (v.f_flag & ST_RDONLY);
}

/* The running binary in a read-only, detached clone of its directory's
 * mount (O_PATH), checked to be the same file as /proc/self/exe. */
static int
readonly_exe (tr_error_t *err)
{
  struct self_exe exe;
  if (self_exe_split (&exe, err) < 0)
    return -1;
  const char *path = exe.dir, *name = exe.name;
  cleanup_close int mnt = sys_open_tree (AT_FDCWD, path[0] ? path : "/", TR_OPEN_TREE_CLONE | TR_OPEN_TREE_CLOEXEC);
  if (mnt < 0)
    return tr_error (err, errno, "open_tree %s", path);
  struct tr_mount_attr attr = { .attr_set = TR_MOUNT_ATTR_RDONLY };
  if (sys_mount_setattr (mnt, "", AT_EMPTY_PATH, &attr) < 0)
    return tr_error (err, errno, "mount_setattr read-only %s", path);
  int fd = openat (mnt, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat a, b;
  if (fd < 0 || fstat (fd, &a) < 0 || stat ("/proc/self/exe", &b) < 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      return tr_error (err, saved, "open %s/%s", path, name);
    }
  if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
    {
      close (fd);
      return tr_error_plain (err, ESTALE, "%s/%s is no longer the running binary", path, name);
    }
  return fd;
}

int
self_protect_exec_readonly (char **argv, tr_error_t *err)
{
  if (getenv (REEXEC_MARK))
    {
      /* Re-executed already (and the view may still be writable where
       * the kernel refused the attribute): never again. */
      unsetenv (REEXEC_MARK);
      return 0;
    }
  if (exe_is_readonly ())
    return 0;
  tr_error_t why = NULL;
  cleanup_close int fd = readonly_exe (&why);
  if (fd < 0)
    {
      log_debug ("no read-only view of the runtime binary (%s): relying on a non-dumpable runtime", why->msg);
      tr_error_free (&why);
      return 0;
    }
  if (setenv (REEXEC_MARK, "1", 1) < 0)
    return tr_error (err, errno, "setenv");
  syscall (SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  int saved = errno;
  unsetenv (REEXEC_MARK);
  return tr_error (err, saved, "execveat the read-only runtime binary");
}
