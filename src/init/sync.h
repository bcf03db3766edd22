/* The parent/child channel: one SOCK_SEQPACKET socketpair, typed messages.
 *
 * The order of a container's creation, as messages:
 *
 *   parent                               child (the container's init)
 *   ------                               ----------------------------
 *   clone ─────────────────────────────▶ (born in its new namespaces)
 *   [only when an intermediate process was needed to join namespaces:
 *                                  ◀──── SYNC_USERNS_READY     (unshared a user ns)
 *   write uid_map/gid_map ─────────────▶ SYNC_USERNS_MAPPED
 *                                  ◀──── SYNC_INIT_PID          (forked the init)]
 *   id maps, cgroup, oom_score_adj
 *   ───────────────────────────────────▶ SYNC_PARENT_READY
 *                                        join namespaces, mounts
 *                                  ◀──── SYNC_CREATE_RUNTIME
 *   prestart + createRuntime hooks ────▶ SYNC_CREATE_RUNTIME_DONE
 *                                        createContainer hooks, pivot_root,
 *                                        devices, masked paths, sysctl, tty
 *                                  [with SCMP_ACT_NOTIFY: loads the filter
 *                                  ◀──── SYNC_SECCOMP_FD (+ notify fd)
 *   send it to listenerPath]
 *                                  ◀──── SYNC_READY (+ pty master fd)
 *   write state.json, exit               wait on exec.fifo for `start`
 *
 * Either side may send SYNC_ERROR (errno + message) instead of the expected
 * message; sync_expect() turns it into the caller's error, so `tinyrun
 * create` prints exactly which step failed inside the container. */
#ifndef TINYRUN_SYNC_H
#define TINYRUN_SYNC_H

#include <stdint.h>

#include "util/error.h"

enum sync_msg
{
  SYNC_USERNS_READY = 1,
  SYNC_USERNS_MAPPED,
  SYNC_INIT_PID,
  SYNC_PARENT_READY,
  SYNC_CREATE_RUNTIME,
  SYNC_CREATE_RUNTIME_DONE,
  SYNC_SECCOMP_FD,
  SYNC_READY,
  SYNC_ERROR,
};

struct sync_message
{
  uint32_t type;
  int32_t value; /* errno for SYNC_ERROR, pid for SYNC_INIT_PID */
  char text[1024];
};

const char *sync_msg_name (enum sync_msg m);

/* Send a message, optionally carrying one fd (-1 for none). */
int sync_send (int sock, enum sync_msg type, int32_t value, int fd_to_pass, tr_error_t *err);

/* Send an error (from the child): errno and the message of *cause. */
void sync_send_error (int sock, const tr_error_t *cause);

/* Receive the next message and check that it is `want`.  A SYNC_ERROR from
 * the peer becomes *err (with its errno); an unexpected message or a closed
 * channel is a protocol error.  *value and *fd (when non-NULL) receive the
 * message's value and any fd that came with it (-1 when none). */
int sync_expect (int sock, enum sync_msg want, int32_t *value, int *fd, tr_error_t *err);

/* Wait for the peer to close the channel (its execve closed its end) or to
 * send SYNC_ERROR. */
int sync_wait_closed (int sock, tr_error_t *err);

#endif
