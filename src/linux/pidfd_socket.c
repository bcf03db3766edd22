#include "config.h"
#include "linux/pidfd_socket.h"
#include "util/cleanup.h"
#include "util/fd_passing.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int
pidfd_send (int sock, pid_t pid, const char *what, tr_error_t *err)
{
  /* A pidfd is close-on-exec from birth. */
  cleanup_close int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    return tr_error (err, errno, "--pidfd-socket: pidfd_open %d", (int) pid);
  if (send_with_fd (sock, what, strlen (what), pidfd) < 0)
    return tr_error (err, errno, "--pidfd-socket: send the pidfd");
  return 0;
}

int
pidfd_send_to (const char *path, pid_t pid, const char *what, tr_error_t *err)
{
  cleanup_close int sock = unix_connect (path, err);
  if (sock < 0)
    return tr_error_wrap (err, "--pidfd-socket");
  return pidfd_send (sock, pid, what, err);
}
