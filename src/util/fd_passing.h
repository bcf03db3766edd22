/* Sending a file descriptor over a unix socket (SCM_RIGHTS): the pty
 * master to a console socket, the seccomp notify fd to a listener, and
 * the messages of the parent/child channel. */
#ifndef TINYRUN_FD_PASSING_H
#define TINYRUN_FD_PASSING_H

#include <stddef.h>

#include "util/error.h"

/* One sendmsg of data, with fd attached unless it is -1.  Returns -1
 * with errno set (the caller names what it was sending). */
int send_with_fd (int sock, const void *data, size_t len, int fd);

/* Connect to the unix stream socket at path; returns the fd. */
int unix_connect (const char *path, tr_error_t *err);

#endif
