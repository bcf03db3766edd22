/* Turning the calling process into the spec's process: the last steps
 * before execve(), shared by the container's init and by `exec`. */
#ifndef TINYRUN_PROCESS_H
#define TINYRUN_PROCESS_H

#include <stdbool.h>

#include "util/error.h"
#include "oci-spec/spec.h"

struct process_exec
{
  char *path;     /* the executable, resolved against PATH inside the container */
  char **envp;    /* process.env (each variable once, the last one
                   * given), plus HOME when it was missing */
  int listen_fds; /* set by the caller: socket-activation fds at 3.., to
                   * keep and announce in LISTEN_FDS (0: none) */
  void *seccomp;  /* compiled filter (seccomp.h), or NULL */
  bool exec_affinity; /* set by exec: apply execCPUAffinity.final (not the
                       * init's, runtime-spec) */
  bool keep_umask;    /* set by exec: without process.user.umask, the
                       * caller's umask stays; the init gets 0022 (both
                       * as runc and crun do) */
  bool dispositions_reset; /* process_reset_dispositions() ran */
};

/* Every signal's disposition back to SIG_DFL but SIGPIPE's (the runtime
 * ignores it, and the init still writes), ahead of
 * process_finalize_and_exec(), which then resets only SIGPIPE and the
 * mask.  The init calls it while the runtime records the container, off
 * the path from `start` to execve: some 60 system calls.  Inherited,
 * they were SIG_DFL already but for SIGPIPE and what the runtime's own
 * caller ignored; the mask stays as it was until the exec. */
void process_reset_dispositions (struct process_exec *x);

/* Enter process.cwd (safely, inside the root), resolve args[0] with the
 * PATH of process.env (as execvp would) and complete the environment
 * (x->listen_fds is read, the rest of *x filled in).
 * Run after pivot_root, so that "executable not found" is an error of
 * `create`. */
int process_prepare (const struct spec_process *p, struct process_exec *x, tr_error_t *err);

/* Everything up to and including execve(), in the fixed order:
 *   mark fds >= 3 (but the x->listen_fds + preserve_fds from 3 on)
 *   close-on-exec, reset signals,
 *   rlimits, oom_score_adj, scheduling, [seccomp here when
 *   noNewPrivileges is false: loading it needs CAP_SYS_ADMIN], bounding
 *   set, keepcaps, chown of the terminal to the user,
 *   setgroups/setresgid/setresuid, capset + ambient, umask,
 *   no_new_privs, LSM exec labels, final CPU affinity, personality,
 *   [seccomp here when noNewPrivileges is true], execve.
 * The kernel is reached through init_ops.h and util/syscalls.h, so that
 * tests/unit/test_init_order.c can check this order.  Returns only on
 * failure. */
int process_finalize_and_exec (const struct spec *spec, const struct spec_process *p, const struct process_exec *x,
                               int preserve_fds, tr_error_t *err);

#endif
