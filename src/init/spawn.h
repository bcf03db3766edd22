/* Creating the container's init process: clone3 straight into its new
 * namespaces and its cgroup, with no re-exec of tinyrun. */
#ifndef TINYRUN_SPAWN_H
#define TINYRUN_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "init/init.h"

/* Start the init described by ctx.  cgroup_fd (or -1) is the container's
 * cgroup2 directory for CLONE_INTO_CGROUP; *in_cgroup tells whether the
 * kernel placed the init there.  sync_parent is the parent's end of the
 * channel (closed in the child).  In intermediate mode this also runs the
 * parent's half of the user-namespace handshake.  Returns the init's pid
 * (a child of the caller either way). */
pid_t spawn_init (struct init_context *ctx, int cgroup_fd, int sync_parent, bool *in_cgroup, tr_error_t *err);

/* fork-like clone3 (clone(2) where clone3 is missing), into cgroup_fd's
 * cgroup when it is >= 0 and the kernel can; *in_cgroup says if it did. */
pid_t spawn_clone (unsigned long flags, int cgroup_fd, bool *in_cgroup);

/* Namespaces that only apply to children (pid, time) are set on the
 * caller for the duration of a clone, then restored. */
struct for_children
{
  int pid_fd, time_fd;
};
int for_children_enter (int pid_ns, int time_ns, bool new_time, struct for_children *saved, tr_error_t *err);
void for_children_leave (struct for_children *saved);

#endif
