/* A network namespace made ahead of the init.  Making one is the dearest
 * part of cloning a container's init (the kernel sets up every pernet
 * subsystem: about 1 ms of the clone's 1.2 ms on the test VM, against
 * 0.3 ms for the mount, ipc, uts and pid namespaces together).  A helper
 * task of the runtime makes it with unshare(CLONE_NEWNET) while the
 * runtime parses, records, makes the cgroups and clones the init, and the
 * init joins it with setns instead of getting a new one from clone3: the
 * same namespace, owned by the same user namespace, made on another CPU
 * (the task is kept off ours).  The task also brings its lo up
 * (linux/loopback.h), which the init would do otherwise.
 *
 * The task is not a thread: it shares the runtime's memory and fd table
 * (clone with CLONE_VM | CLONE_FILES) but glibc knows nothing of it, and
 * it makes raw system calls only.  So the init can be cloned while it is
 * still at work: a copy of a process whose glibc lists a live thread
 * waits forever in setgroups() and the other set*id() calls, which glibc
 * broadcasts to every thread it knows of.  The init gets the namespace's
 * fd with SYNC_PARENT_READY (init/sync.h), so the task has the clone, the
 * cgroup joins and the init's first steps to finish in.
 *
 * Only for a runtime that would have made it itself in the same user
 * namespace: root, no new user namespace (container/create.c decides),
 * and on x86_64 and aarch64, whose raw system calls it knows. */
#ifndef TINYRUN_NETNS_AHEAD_H
#define TINYRUN_NETNS_AHEAD_H

#include "util/error.h"

#include <stdbool.h>
#include <sys/types.h>

struct netns_ahead
{
  pid_t task;       /* the helper task, started and not yet waited for; 0 else */
  int fd;           /* the namespace (O_CLOEXEC), its lo up */
  void *stack;
  /* Written by the task. */
  int alive;        /* cleared by the kernel when the task exits */
  int made_fd;
  int failed_errno; /* 0: no failure */
  int failed_step;
};

#define NETNS_AHEAD_INIT { .fd = -1 }

/* Whether this build can make one ahead (the architecture's raw system
 * calls are known). */
bool netns_ahead_supported (void);

/* Start making it.  Without a task (clone failed) nothing is started and
 * netns_ahead_take() returns -1 with no error: the caller lets clone make
 * the namespace as before. */
void netns_ahead_start (struct netns_ahead *n);

/* Whether a task was started and not yet waited for: the namespace
 * will come from netns_ahead_take(), not from clone. */
static inline bool
netns_ahead_pending (const struct netns_ahead *n)
{
  return n->task > 0;
}

/* Wait for the task: the namespace's fd (owned by n, closed by
 * netns_ahead_release), or -1 when none was started (*err untouched) or
 * making it failed (*err set). */
int netns_ahead_take (struct netns_ahead *n, tr_error_t *err);

/* Wait for the task if it runs, close the namespace, free the stack. */
void netns_ahead_release (struct netns_ahead *n);

#endif
