/* `exec`: a new process inside a running container.
 *
 *   parent (tinyrun exec)                    child
 *   ---------------------                    -----
 *   open /proc/<init>/ns/..., /proc/<init>/root
 *   setns pid+time for children, clone3
 *   (into the container's cgroup) ─────────▶ non-dumpable; [v1: joins its
 *                                            cgroups itself (cgroup_join)];
 *                                            waits
 *   [v1 otherwise: write cgroup.procs (r->enter_cgroup)]
 *   SYNC_PARENT_READY ─────────────────────▶ setns user, then the others;
 *                                            chroot to the init's root;
 *                                            CPU affinity reset; pty;
 *                                            cwd, PATH, seccomp
 *   [seccomp notify: to listenerPath] ◀───── [SYNC_SECCOMP_FD (+ notify fd)]
 *                                   ◀─────── SYNC_READY (+ pty master)
 *                                            credentials, seccomp, execve
 *   (logs the child's SYNC_WARNINGs)
 *   EOF on the channel (execve closed it) or SYNC_ERROR
 *
 * The pid namespace is entered by setting the parent's pid_for_children,
 * so the process is born in it: no second fork.  Except when the
 * container has a user namespace of its own: then a helper forked first
 * (into the cgroup) joins the user namespace, becomes its root, sets
 * pid/time for children, and clones the child with CLONE_PARENT (our
 * child still); it sends the child's pid as SYNC_INIT_PID and exits.  An
 * ordinary user has CAP_SYS_ADMIN over the container's pid namespace only
 * from inside its user namespace (runc's nsexec joins the user namespace
 * first for the same reason). */
#ifndef TINYRUN_EXEC_H
#define TINYRUN_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "linux/cgroup_join.h"
#include "util/error.h"
#include "oci-spec/spec.h"

struct exec_request
{
  const char *id;
  pid_t init_pid;
  const struct spec *spec;             /* the container's (seccomp, personality) */
  const struct spec_process *process;  /* what to run */
  const char *cgroup_path;             /* the container's cgroup (+ --cgroup), or NULL */
  int cgroup_fd;                       /* its cgroup2 directory for CLONE_INTO_CGROUP, or -1 */
  /* Moves pid into cgroup_path (in every hierarchy); called when clone3
   * did not place the process there.  The cgroup layer's cgroup_enter. */
  int (*enter_cgroup) (const char *cgroup_path, pid_t pid, tr_error_t *err);
  /* The v1 hierarchies' tasks files, for the process to join them itself
   * (linux/cgroup_join.h), or NULL.  Used unless a helper is needed (a
   * container with a user namespace), in which case enter_cgroup moves
   * the process, also when cgroup_fd placed it in a hybrid host's cgroup2
   * part.  When it is used, only the cgroup2 part is left to
   * enter_cgroup_v2, if clone3 did not place the process there. */
  struct cgroup_join *cgroup_join;
  int (*enter_cgroup_v2) (const char *cgroup_path, pid_t pid, tr_error_t *err);
  const char *state_json;              /* the container's state, for a seccomp listener */
  int preserve_fds;
  bool relayed_pty;                    /* the runtime relays the pty itself: ONLCR
                                        * is cleared before the process runs */
};

/* Start the process.  Returns its pid (our child); with a terminal,
 * *pty_master receives the master (else -1). */
pid_t exec_spawn (const struct exec_request *r, int *pty_master, tr_error_t *err);

#endif
