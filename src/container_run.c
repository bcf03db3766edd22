/* `run` in the foreground: create, start, relay signals (and the terminal,
 * when there is one and no console socket), wait, delete. */
#include "config.h"
#include "container_run.h"
#include "cleanup.h"
#include "log.h"
#include "tty_relay.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals a foreground `run` passes on to the container's init. */
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

/* Reap children; returns the init's exit status once it is gone, else -1. */
static int
reap (pid_t init_pid)
{
  int status, result = -1;
  pid_t p;
  while ((p = waitpid (-1, &status, WNOHANG)) > 0)
    if (p == init_pid)
      result = exit_status_of (status);
  return result;
}

static int
supervise (const struct created_container *c, int sfd, struct tty_relay *relay)
{
  for (;;)
    {
      struct pollfd fds[3] = { { .fd = sfd, .events = POLLIN } };
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
      if (read (sfd, &si, sizeof si) != sizeof si)
        continue;
      if (si.ssi_signo == SIGCHLD)
        {
          int status = reap (c->pid);
          if (status >= 0)
            {
              tty_relay_drain (relay);
              return status;
            }
          continue;
        }
      if (si.ssi_signo == SIGWINCH)
        tty_relay_resize (relay);
      if (kill (c->pid, (int) si.ssi_signo) < 0 && errno != ESRCH)
        log_warning ("forward signal %u: %s", si.ssi_signo, strerror (errno));
    }
}

int
container_run (const struct create_options *o, bool detach, bool keep, int *exit_status, tr_error_t *err)
{
  struct created_container c = { .pty_master = -1 };
  sigset_t mask, old;
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaddset (&mask, forwarded[i]);

  *exit_status = 0;
  if (detach)
    {
      if (container_create (o, &c, err) < 0)
        return -1;
      return container_start (o->root, o->id, err);
    }

  /* Blocked before the container exists, so no signal is lost; the init
   * unblocks everything before its execve. */
  sigprocmask (SIG_BLOCK, &mask, &old);
  cleanup_close int sfd = signalfd (-1, &mask, SFD_CLOEXEC);
  int ret = -1;
  struct tty_relay relay = { .master = -1 };
  if (sfd < 0)
    {
      tr_error (err, errno, "signalfd");
      goto out;
    }
  /* Processes orphaned inside a container without its own pid namespace
   * come to us rather than to the host's init. */
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  if (container_create (o, &c, err) < 0)
    goto out;
  if (tty_relay_start (&relay, c.pty_master, err) < 0 || container_start (o->root, o->id, err) < 0)
    {
      tr_error_t ignored = NULL;
      container_delete (o->root, o->id, true, &ignored);
      tr_error_free (&ignored);
      goto out;
    }
  *exit_status = supervise (&c, sfd, &relay);
  ret = 0;
  if (!keep && container_delete (o->root, o->id, true, err) < 0)
    ret = -1;
out:
  tty_relay_stop (&relay);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}
