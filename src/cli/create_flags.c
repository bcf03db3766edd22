#include "config.h"
#include "cli/create_flags.h"
#include "cli/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

int
passed_fds_check (const char *flag, int first, int n, tr_error_t *err)
{
  if (n > 4096)
    return tr_error_plain (err, EINVAL, "%s %d: at most 4096 fds can be passed", flag, n);
  for (int fd = first; fd < first + n; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags < 0)
        return tr_error_plain (err, EBADF, "%s %d: fd %d is not open", flag, n, fd);
      /* An fd that came through execve has FD_CLOEXEC clear; every fd the
       * runtime opens itself (the --log file...) is O_CLOEXEC. */
      if (flags & FD_CLOEXEC)
        return tr_error_plain (err, EBADF, "%s %d: fd %d is not one the caller passed", flag, n, fd);
    }
  return 0;
}

/* Socket activation as systemd does it (sd_listen_fds(3)), read like
 * runc does: only when LISTEN_PID names this very process. */
static int
listen_fds_of_environment (tr_error_t *err)
{
  const char *pid = getenv ("LISTEN_PID"), *fds = getenv ("LISTEN_FDS");
  if (pid == NULL || fds == NULL)
    return 0;
  char *end;
  errno = 0;
  long p = strtol (pid, &end, 10);
  if (*pid == '\0' || *end || errno || p != (long) getpid ())
    return 0;
  errno = 0;
  long n = strtol (fds, &end, 10);
  if (*fds == '\0' || *end || errno || n < 0 || n > INT_MAX)
    return tr_error_plain (err, EINVAL, "LISTEN_FDS: \"%s\" is not a valid number", fds);
  return (int) n;
}

int
create_flags_finish (struct create_options *o, tr_error_t *err)
{
  int n = listen_fds_of_environment (err);
  if (n < 0)
    return -1;
  /* fds 3..3+n-1 are the listening sockets, the --preserve-fds ones follow. */
  if (passed_fds_check ("LISTEN_FDS", 3, n, err) < 0
      || passed_fds_check ("--preserve-fds", 3 + n, o->preserve_fds, err) < 0)
    return -1;
  o->listen_fds = n;
  return 0;
}

int
create_flag (int opt, const char *arg, struct create_options *o, tr_error_t *err)
{
  switch (opt)
    {
    case CREATE_OPT_BUNDLE:
      o->bundle = arg;
      return 1;
    case CREATE_OPT_PID_FILE:
      o->pid_file = arg;
      return 1;
    case CREATE_OPT_CONSOLE_SOCKET:
      o->console_socket = arg;
      return 1;
    case CREATE_OPT_PIDFD_SOCKET:
      o->pidfd_socket = arg;
      return 1;
    case CREATE_OPT_NO_PIVOT:
      o->no_pivot = true;
      return 1;
    case CREATE_OPT_NO_NEW_KEYRING:
      o->no_new_keyring = true;
      return 1;
    case CREATE_OPT_PRESERVE_FDS:
      if (cmd_parse_int ("--preserve-fds", arg, &o->preserve_fds, err) < 0)
        return -1;
      return 1;
    case CREATE_OPT_NO_SUBREAPER:
      return 1;
    default:
      return 0;
    }
}
