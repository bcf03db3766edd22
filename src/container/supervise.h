/* A foreground child (the init of `run`, the process of `exec`): its
 * signals are blocked before it exists, relayed to it while it runs, and
 * its exit status becomes ours (128+N when killed by signal N). */
#ifndef TINYRUN_SUPERVISE_H
#define TINYRUN_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

#include "util/error.h"
#include "linux/tty_relay.h"

struct supervisor
{
  sigset_t old_mask;
  int signal_fd;
};

/* Block the forwarded signals and SIGCHLD, before the child is made. */
int supervisor_start (struct supervisor *s, tr_error_t *err);

/* Relay signals (and the terminal) to pid until it exits; returns its
 * exit status. */
int supervisor_wait (struct supervisor *s, pid_t pid, struct tty_relay *relay);

/* Restore the signal mask. */
void supervisor_stop (struct supervisor *s);

/* A supervisor stopped at the end of its scope; initialise it with
 * SUPERVISOR_INIT so that one that never started is left alone. */
void cleanup_supervisorp (struct supervisor *s);
#define cleanup_supervisor __attribute__ ((cleanup (cleanup_supervisorp)))
#define SUPERVISOR_INIT { .signal_fd = -1 }

#endif
