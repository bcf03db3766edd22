#include "config.h"
#include "container/supervise.h"
#include "util/log.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals passed on to the child. */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };

static int
exit_status_of (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 1;
}

/* Reap children; returns pid's exit status once it is gone, else -1. */
static int
reap (pid_t pid)
{
  int status, result = -1;
  pid_t p;
  while ((p = waitpid (-1, &status, WNOHANG)) > 0)
    if (p == pid)
      result = exit_status_of (status);
  return result;
}

int
supervisor_start (struct supervisor *s, tr_error_t *err)
{
  sigset_t mask;
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaddset (&mask, forwarded[i]);
  /* Blocked before the child exists, so no signal is lost; the child
   * unblocks everything before its execve. */
  sigprocmask (SIG_BLOCK, &mask, &s->old_mask);
  s->signal_fd = signalfd (-1, &mask, SFD_CLOEXEC);
  if (s->signal_fd < 0)
    {
      sigprocmask (SIG_SETMASK, &s->old_mask, NULL);
      return tr_error (err, errno, "signalfd");
    }
  /* Orphans of a child without its own pid namespace come to us rather
   * than to the host's init. */
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  return 0;
}

int
supervisor_wait (struct supervisor *s, pid_t pid, struct tty_relay *relay)
{
  /* It may already be gone (and its SIGCHLD queued before we poll). */
  for (;;)
    {
      struct pollfd fds[3] = { { .fd = s->signal_fd, .events = POLLIN } };
      nfds_t n = 1 + tty_relay_pollfds (relay, fds + 1);
      if (poll (fds, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return 1;
        }
      if (n > 1)
        tty_relay_pump (relay, fds + 1);
      if (!(fds[0].revents & POLLIN))
        continue;
      struct signalfd_siginfo si;
      if (read (s->signal_fd, &si, sizeof si) != sizeof si)
        continue;
      if (si.ssi_signo == SIGCHLD)
        {
          int status = reap (pid);
          if (status >= 0)
            {
              tty_relay_drain (relay);
              return status;
            }
          continue;
        }
      if (si.ssi_signo == SIGWINCH)
        tty_relay_resize (relay);
      if (kill (pid, (int) si.ssi_signo) < 0 && errno != ESRCH)
        log_warning ("forward signal %u: %s", si.ssi_signo, strerror (errno));
    }
}

void
supervisor_stop (struct supervisor *s)
{
  if (s->signal_fd < 0)
    return; /* never started, or stopped already */
  close (s->signal_fd);
  s->signal_fd = -1;
  sigprocmask (SIG_SETMASK, &s->old_mask, NULL);
}

void
cleanup_supervisorp (struct supervisor *s)
{
  supervisor_stop (s);
}
