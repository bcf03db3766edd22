#ifndef TINYRUN_CONTAINER_RUN_H
#define TINYRUN_CONTAINER_RUN_H

#include "container/container.h"

/* create + start; unless detach, wait for the init, relay signals and the
 * terminal, then delete (unless keep).  *exit_status is the container's
 * (128+N when killed by signal N). */
int container_run (const struct create_options *o, bool detach, bool keep, int *exit_status, tr_error_t *err);

#endif
