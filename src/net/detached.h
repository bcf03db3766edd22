/* A child process that holds nothing of the hook's, for work the hook
 * must not wait for (net/link_reaper.c, net/nfnl.c): the kernel
 * finishes some deletions only after an RCU grace period, ~15-20 ms on a
 * VM, during which the deleting process just waits, and the runtime waits
 * for the hook. */
#ifndef TINYRUN_NET_DETACHED_H
#define TINYRUN_NET_DETACHED_H

#include <sys/types.h>

/* Fork a child in a session of its own (a signal to the hook's process
 * group does not reach it) with every fd closed but keep (-1: none), so
 * that it holds neither the IPAM lock nor the pipes a runtime reads the
 * hook's output from.  0 in the child, which must end with _exit; the
 * child's pid in the caller, which does not wait for it (when the hook
 * exits it is reparented); -1 when no process could be made. */
pid_t fork_detached (int keep);

#endif
