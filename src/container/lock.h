/* The per-container lock: flock() on the container's state directory,
 * held by every command that changes the container from its first step to
 * its last. */
#ifndef TINYRUN_LOCK_H
#define TINYRUN_LOCK_H

#include "util/error.h"

/* How long a command waits for another one holding the lock. */
#define STATE_LOCK_TIMEOUT_MS 10000

/* Take the lock on the directory fd, polling with a growing pause for at
 * most STATE_LOCK_TIMEOUT_MS; then fail (EWOULDBLOCK) naming the process
 * that holds it (from /proc/locks). */
int state_lock (int dirfd, const char *id, tr_error_t *err);

#endif
