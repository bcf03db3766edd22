/* --pidfd-socket (runc 1.2): a pidfd of the container's init or of an
 * exec'd process, sent over a unix socket with SCM_RIGHTS, as the pty
 * master goes to a --console-socket. */
#ifndef TINYRUN_PIDFD_SOCKET_H
#define TINYRUN_PIDFD_SOCKET_H

#include <sys/types.h>

#include "util/error.h"

/* pidfd_open(pid) and send it over sock.  The message is runc's: "standard"
 * for a container's init, "setns" for an exec'd process. */
int pidfd_send (int sock, pid_t pid, const char *what, tr_error_t *err);

/* Connect to the socket at path, then pidfd_send. */
int pidfd_send_to (const char *path, pid_t pid, const char *what, tr_error_t *err);

#endif
