/* What `create`, `run` and `exec` do first, on the host, before anything
 * of theirs can enter a container. */
#ifndef TINYRUN_CONTAINER_ENTRY_H
#define TINYRUN_CONTAINER_ENTRY_H

#include <stdbool.h>

#include "util/error.h"

/* Whether the command puts a tinyrun process into a container. */
bool container_command_enters (const char *command);

/* Re-execute from a read-only view of the binary (linux/self_protect.h;
 * on success this does not return), then decide which LSM the host runs
 * (linux/lsm.h), while /sys is still the host's.  argv is main's whole
 * argv. */
int container_entry_prepare (char **argv, tr_error_t *err);

#endif
