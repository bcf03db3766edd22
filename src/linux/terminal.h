/* process.terminal: a pseudo-terminal from the container's own devpts. */
#ifndef TINYRUN_TERMINAL_H
#define TINYRUN_TERMINAL_H

#include <stdbool.h>

#include "util/error.h"
#include "oci-spec/spec.h"

/* Allocate a pty from <rootfs>/dev/pts/ptmx, bind its slave on
 * <rootfs>/dev/console (the init only), make it the calling process's
 * controlling terminal and stdin/stdout/stderr.  Returns the master fd,
 * which the parent hands to --console-socket. */
int terminal_setup (int rootfd, const struct spec_process *p, bool bind_console, tr_error_t *err);

/* A new pty pair from the host's /dev/ptmx, for restore: criu gives the
 * slave to the restored init in place of its checkpointed terminal, whose
 * master was outside the container.  process.consoleSize is applied; path
 * is the slave's name on the host ("/dev/pts/N"). */
struct pty_pair
{
  int master;
  int slave;
  char path[32];
};
int terminal_open_pair (const struct spec_process *p, struct pty_pair *out, tr_error_t *err);

/* Clear ONLCR on the pty of master, before the runtime relays it: the
 * container's "\n" then reaches the other side as "\n", as with runc. */
int terminal_clear_onlcr (int master, tr_error_t *err);

/* Send a pty master over a unix socket (SCM_RIGHTS), as runc does. */
int terminal_send_master (int sock, int master, tr_error_t *err);

/* Connect to the unix socket at path; returns the fd. */
int terminal_connect_socket (const char *path, tr_error_t *err);

#endif
