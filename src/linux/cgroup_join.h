/* A process moving itself into its cgroup v1 hierarchies.
 *
 * Writing another process's pid to cgroup.procs takes the kernel's global
 * cgroup_threadgroup_rwsem for writing, and that waits for an RCU grace
 * period unless another migration happened within the last one: 6-18 ms
 * on these hosts, most of a `create`.  A process writing "0" to a
 * hierarchy's `tasks` file moves only its calling thread, and the kernel
 * then skips that lock (kernel/cgroup/cgroup.c, cgroup_procs_write_start:
 * a single thread, `current`, cannot exit or exec under the writer).  The
 * init is single-threaded, so moving its one thread moves the process:
 * it joins its cgroups itself, as its first step, through `tasks` files
 * the runtime opened for it (it may not be able to reach them by path). */
#ifndef TINYRUN_LINUX_CGROUP_JOIN_H
#define TINYRUN_LINUX_CGROUP_JOIN_H

#include <stddef.h>

#include "util/error.h"

#define CGROUP_JOIN_MAX 16

struct cgroup_join
{
  size_t n;                     /* 0: the runtime moves the init (cgroup.procs) */
  int fds[CGROUP_JOIN_MAX];     /* <dir>/tasks, O_WRONLY | O_CLOEXEC */
  char *dirs[CGROUP_JOIN_MAX];  /* the cgroup directories, for errors */
};

/* Write "0" to every tasks file: the calling thread joins each cgroup.
 * "join cgroup <dir>: <errno>" on the first that fails. */
int cgroup_join_self (const struct cgroup_join *j, tr_error_t *err);

/* Close the fds and free the names; n becomes 0. */
void cgroup_join_clear (struct cgroup_join *j);
#define cleanup_cgroup_join __attribute__ ((cleanup (cgroup_join_clear)))

#endif
