#include "config.h"
#include "linux/userns_fd.h"
#include "linux/namespaces.h"
#include "util/cleanup.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child only holds the namespace until the parent has its fd (or
 * dies: then the death signal, or the parent already gone, ends it). */
static void __attribute__ ((noreturn))
hold_namespace (pid_t parent)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (0);
  for (;;)
    pause ();
}

static int
map_and_open (pid_t pid, const idmaplist *uid_map, const idmaplist *gid_map, tr_error_t *err)
{
  if (userns_write_map (pid, "uid_map", uid_map, err) < 0 || userns_write_map (pid, "gid_map", gid_map, err) < 0)
    return -1;
  char p[64];
  snprintf (p, sizeof p, "/proc/%d/ns/user", (int) pid);
  int fd = open (p, O_RDONLY | O_CLOEXEC);
  return fd < 0 ? tr_error (err, errno, "open %s", p) : fd;
}

int
userns_fd_new (const idmaplist *uid_map, const idmaplist *gid_map, tr_error_t *err)
{
  pid_t parent = getpid ();
  pid_t pid = sys_clone (CLONE_NEWUSER | SIGCHLD);
  if (pid < 0)
    return tr_error (err, errno, "clone a user namespace for an idmapped mount");
  if (pid == 0)
    hold_namespace (parent);
  int fd = map_and_open (pid, uid_map, gid_map, err);
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return fd;
}
