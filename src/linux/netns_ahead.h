/* A network namespace made ahead of the init.  Making one is the dearest
 * part of cloning a container's init (the kernel sets up every pernet
 * subsystem: about 1 ms of the clone's 1.2 ms on the test VM, against
 * 0.3 ms for the mount, ipc, uts and pid namespaces together).  A thread
 * of the runtime makes it with unshare(CLONE_NEWNET) while the main thread
 * parses, records and makes the cgroups, and the init joins it with setns
 * instead of getting a new one from clone3: the same namespace, owned by
 * the same user namespace, made on another CPU (the thread is kept off
 * ours).  The thread also brings its lo up (linux/loopback.h), which the
 * init would do otherwise.
 *
 * The thread is joined before the init is cloned, never after: a copy of
 * a process whose glibc still lists a live thread waits forever in
 * setgroups() and the other set*id() calls, which glibc broadcasts to
 * every thread it knows of (seen when the join was moved after the clone).
 *
 * Only for a runtime that would have made it itself in the same user
 * namespace: root, no new user namespace (container/create.c decides). */
#ifndef TINYRUN_NETNS_AHEAD_H
#define TINYRUN_NETNS_AHEAD_H

#include "util/error.h"

#include <pthread.h>
#include <stdbool.h>

struct netns_ahead
{
  pthread_t thread;
  bool running; /* the thread was started and not yet joined */
  int fd;           /* the namespace (O_CLOEXEC), its lo up */
  tr_error_t error; /* the thread's failure, NULL if none */
};

#define NETNS_AHEAD_INIT { .fd = -1 }

/* Start making it.  Without a thread (pthread_create failed) nothing is
 * started and netns_ahead_take() returns -1 with no error: the caller
 * lets clone make the namespace as before. */
void netns_ahead_start (struct netns_ahead *n);

/* Wait for the thread: the namespace's fd (owned by n, closed by
 * netns_ahead_release), or -1 when none was started (*err untouched) or
 * making it failed (*err set). */
int netns_ahead_take (struct netns_ahead *n, tr_error_t *err);

/* Join the thread if it runs and close the namespace. */
void netns_ahead_release (struct netns_ahead *n);

#endif
