/* The init's stdio on the container's own /dev/null. */
#ifndef TINYRUN_DEV_NULL_H
#define TINYRUN_DEV_NULL_H

#include "util/error.h"

/* After pivot_root: every one of fds 0-2 that is the host's /dev/null
 * (as conmon and `run -d` give it) is reopened on the container's
 * /dev/null (checked to be char 1:3), as runc's reOpenDevNull does, so
 * that no fd of the container points into the host's mounts (criu cannot
 * dump one that does). */
int dev_null_reopen_stdio (tr_error_t *err);

#endif
