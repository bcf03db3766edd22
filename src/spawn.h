/* Creating the container's init process: clone3 straight into its new
 * namespaces and its cgroup, with no re-exec of tinyrun. */
#ifndef TINYRUN_SPAWN_H
#define TINYRUN_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "init.h"

/* Start the init described by ctx.  cgroup_fd (or -1) is the container's
 * cgroup2 directory for CLONE_INTO_CGROUP; *in_cgroup tells whether the
 * kernel placed the init there.  sync_parent is the parent's end of the
 * channel (closed in the child).  In intermediate mode this also runs the
 * parent's half of the user-namespace handshake.  Returns the init's pid
 * (a child of the caller either way). */
pid_t spawn_init (struct init_context *ctx, int cgroup_fd, int sync_parent, bool *in_cgroup, tr_error_t *err);

#endif
