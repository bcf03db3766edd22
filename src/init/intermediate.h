/* The intermediate process of intermediate mode (see linux/namespaces.h),
 * needed when the init must join namespaces owned by a user namespace or
 * be born in a new user namespace after joining others. */
#ifndef TINYRUN_INTERMEDIATE_H
#define TINYRUN_INTERMEDIATE_H

#include "init/init.h"

/* Joins and creates the namespaces (with the user-namespace handshake of
 * sync.h), forks the init with CLONE_PARENT, reports its pid as
 * SYNC_INIT_PID and exits.  Errors go back over ctx->sync_fd. */
_Noreturn void init_intermediate (struct init_context *ctx);

#endif
