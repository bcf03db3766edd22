#include "config.h"
#include "linux/hooks.h"
#include "linux/cpu_pin.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* In the forked child: stdin from the pipe, everything else closed. */
static _Noreturn void
exec_hook (const struct spec_hook *hook, int stdin_fd)
{
  if (dup2 (stdin_fd, STDIN_FILENO) < 0)
    _exit (127);
  sys_close_range (3, ~0U, 0);
  signals_default_for_exec ();
  cpu_pin_child (); /* not the runtime's CPU for its create */
  char *const default_args[] = { hook->path, NULL };
  char *const *argv = hook->args.n ? hook->args.v : default_args;
  /* No env: the runtime's own environment, as runc's hooks get (Go's
   * exec.Cmd with a nil Env); with one, exactly that. */
  execve (hook->path, argv, hook->env.v ? hook->env.v : environ);
  _exit (127);
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll(2)'s timeout until deadline (-1: none). */
static int
ms_left (long long deadline)
{
  if (deadline < 0)
    return -1;
  long long left = deadline - now_ms ();
  return left > 0 ? (int) left : 0;
}

/* Write the state to the hook's stdin (wr is non-blocking) until all of
 * it is written, the hook closes its end, or the deadline passes: a hook
 * that never reads must not keep its timeout from running. */
static void
write_state (int wr, const char *state_json, long long deadline, const struct spec_hook *hook)
{
  const char *p = state_json;
  size_t len = strlen (state_json);
  while (len > 0)
    {
      ssize_t n = write (wr, p, len);
      if (n > 0)
        {
          p += n;
          len -= (size_t) n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno != EAGAIN)
        {
          /* EPIPE: the hook exited without reading, not an error
           * (SIGPIPE is ignored process-wide, see main.c). */
          if (errno != EPIPE)
            log_debug ("hook %s: writing state: %s", hook->path, strerror (errno));
          return;
        }
      struct pollfd pw = { .fd = wr, .events = POLLOUT };
      int r = poll (&pw, 1, ms_left (deadline));
      if (r < 0 && errno != EINTR)
        return;
      if (r == 0)
        {
          log_debug ("hook %s: timeout while writing its state (%zu bytes left)", hook->path, len);
          return;
        }
    }
}

/* Wait for the hook to exit, killing it when the deadline passes. */
static int
wait_hook (pid_t pid, const struct spec_hook *hook, long long deadline, int *status, tr_error_t *err)
{
  cleanup_close int pidfd = sys_pidfd_open (pid, 0);
  while (pidfd >= 0)
    {
      int timeout = ms_left (deadline);
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      int r = poll (&p, 1, timeout);
      if (r < 0 && errno == EINTR)
        continue;
      if (r == 0)
        {
          kill (pid, SIGKILL);
          waitpid (pid, status, 0);
          return tr_error_plain (err, ETIMEDOUT, "hook %s timed out after %lld s", hook->path, (long long) hook->timeout.v);
        }
      break;
    }
  while (waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return tr_error (err, errno, "wait for hook %s", hook->path);
  return 0;
}

static int
run_one (const struct spec_hook *hook, const char *state_json, tr_error_t *err)
{
  int pipefd[2];
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return tr_error (err, errno, "pipe for hook %s", hook->path);
  cleanup_close int rd = pipefd[0];
  cleanup_close int wr = pipefd[1];

  /* The clock starts before the state is written. */
  long long deadline = hook->timeout.set ? now_ms () + hook->timeout.v * 1000 : -1;
  pid_t pid = fork ();
  if (pid < 0)
    return tr_error (err, errno, "fork hook %s", hook->path);
  if (pid == 0)
    exec_hook (hook, rd);
  close (steal_fd (&rd));
  if (fcntl (wr, F_SETFL, O_NONBLOCK) < 0)
    log_debug ("hook %s: O_NONBLOCK on its stdin: %s", hook->path, strerror (errno));
  write_state (wr, state_json, deadline, hook);
  close (steal_fd (&wr));

  int status;
  if (wait_hook (pid, hook, deadline, &status, err) < 0)
    return -1;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFSIGNALED (status))
    return tr_error (err, 0, "hook %s was killed by signal %d", hook->path, WTERMSIG (status));
  if (WEXITSTATUS (status) == 127)
    return tr_error (err, 0, "hook %s exited with status 127 (could not be executed?)", hook->path);
  return tr_error (err, 0, "hook %s exited with status %d", hook->path, WEXITSTATUS (status));
}

int
hooks_run (const hooklist *hooks, const char *phase, const char *state_json, tr_error_t *err)
{
  for (size_t i = 0; i < hooks->n; i++)
    {
      log_debug ("running %s hook %s", phase, hooks->v[i].path);
      if (run_one (&hooks->v[i], state_json, err) < 0)
        return tr_error_wrap (err, "%s hook", phase);
    }
  return 0;
}

void
hooks_run_warn (const hooklist *hooks, const char *phase, const char *state_json)
{
  for (size_t i = 0; i < hooks->n; i++)
    {
      tr_error_t err = NULL;
      log_debug ("running %s hook %s", phase, hooks->v[i].path);
      if (run_one (&hooks->v[i], state_json, &err) < 0)
        {
          log_warning ("%s hook: %s", phase, err->msg);
          tr_error_free (&err);
        }
    }
}
