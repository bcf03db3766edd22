/* The parent/child channel: one SOCK_SEQPACKET socketpair, typed messages.
 *
 * The order of a container's creation, as messages (the child's steps are
 * create_steps[] in init/init.c):
 *
 *   parent (create.c, spawn.c)           child (the container's init)
 *   ------                               ----------------------------
 *   [intermediate mode (namespaces.h): the intermediate process, cloned
 *   into the container's cgroup, joins namespaces, then
 *                                  ◀──── SYNC_USERNS_READY   (unshared a user ns)
 *   write uid_map/gid_map ─────────────▶ SYNC_USERNS_MAPPED
 *                                        unshares the other namespaces,
 *                                        forks the init with CLONE_PARENT
 *                                  ◀──── SYNC_INIT_PID       (the init's pid)]
 *   otherwise: clone3 into the new namespaces (and the cgroup), then write
 *   the id maps of a new user namespace
 *                                        protect the runtime binary
 *   join the cgroup (v1), ─────────────▶ SYNC_PARENT_READY   (the host pid,
 *   wait for the network namespace         + the network namespace's fd
 *   made ahead (netns_ahead.h)               when one was made ahead)
 *                                        affinity, join namespaces, cgroup
 *                                        namespace, hostname, keyring,
 *                                        rootfs, mounts, devices, cwd, tty
 *                                  ◀──── SYNC_CREATE_RUNTIME
 *   prestart + createRuntime hooks ────▶ SYNC_CREATE_RUNTIME_DONE
 *                                        createContainer hooks, pivot_root,
 *                                        sysctl, masked and read-only paths,
 *                                        finish rootfs, limits, process
 *                                  [with SCMP_ACT_NOTIFY: loads the filter
 *                                  ◀──── SYNC_SECCOMP_FD (+ notify fd)
 *   send it to listenerPath]
 *                                  ◀──── SYNC_READY (+ pty master fd)
 *   write state.json ──────────────────▶ SYNC_HANDOVER (value: 1 when
 *                                        this process starts it, `run`)
 *                                        clears its death signal
 *                                  ◀──── SYNC_HANDOVER_DONE
 *   exit                                 closes its end (off the runtime's
 *                                        CPU unless value 1: cpu_pin.h),
 *                                        waits on exec.fifo for `start`
 *
 * From SYNC_PARENT_READY to SYNC_HANDOVER the init has PR_SET_PDEATHSIG
 * (SIGKILL): a runtime killed at any point takes it along.
 *
 * `exec` (exec_spawn.h) uses the same channel: SYNC_PARENT_READY, then
 * SYNC_READY, then the end of the channel when the child's execve closes it.
 *
 * Either side may send SYNC_ERROR (errno + message) instead of the expected
 * message; sync_expect() turns it into the caller's error, so `tinyrun
 * create` prints exactly which step failed inside the container.  At any
 * point the child may send SYNC_WARNING (a log level + message: what it
 * logged, see sync_log.h); sync_expect() and sync_wait_closed() log it
 * through the runtime's logger and go on waiting. */
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
  SYNC_HANDOVER,
  SYNC_HANDOVER_DONE,
  SYNC_ERROR,
  SYNC_WARNING,
  SYNC_MOUNT_SOURCE,
};

struct sync_message
{
  uint32_t type;
  int32_t value; /* errno for SYNC_ERROR, pid for SYNC_INIT_PID, log level for SYNC_WARNING */
  char text[1024];
};

const char *sync_msg_name (enum sync_msg m);

/* Send a message, optionally carrying one fd (-1 for none). */
int sync_send (int sock, enum sync_msg type, int32_t value, int fd_to_pass, tr_error_t *err);

/* Send a message with a text (truncated to fit). */
int sync_send_text (int sock, enum sync_msg type, int32_t value, const char *text, tr_error_t *err);

/* Send an error (from the child): errno and the message of *cause. */
void sync_send_error (int sock, const tr_error_t *cause);

/* Receive the next message and check that it is `want`, logging and
 * skipping any SYNC_WARNING before it.  A SYNC_ERROR from the peer becomes
 * *err (with its errno); an unexpected message or a closed channel is a
 * protocol error.  *value and *fd (when non-NULL) receive the message's
 * value and any fd that came with it (-1 when none). */
int sync_expect (int sock, enum sync_msg want, int32_t *value, int *fd, tr_error_t *err);

/* Wait for the peer to close the channel (its execve closed its end) or to
 * send SYNC_ERROR, logging any SYNC_WARNING meanwhile. */
int sync_wait_closed (int sock, tr_error_t *err);

#endif
