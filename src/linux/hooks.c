#include "config.h"
#include "linux/hooks.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
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
  /* The runtime ignores SIGPIPE and may block signals: the hook gets the
   * defaults back. */
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
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

/* Wait for the hook to exit, killing it when its timeout passes. */
static int
wait_hook (pid_t pid, const struct spec_hook *hook, int *status, tr_error_t *err)
{
  cleanup_close int pidfd = sys_pidfd_open (pid, 0);
  long long deadline = hook->timeout.set ? now_ms () + hook->timeout.v * 1000 : -1;
  while (pidfd >= 0)
    {
      int timeout = -1;
      if (deadline >= 0)
        {
          long long left = deadline - now_ms ();
          timeout = left > 0 ? (int) left : 0;
        }
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

  pid_t pid = fork ();
  if (pid < 0)
    return tr_error (err, errno, "fork hook %s", hook->path);
  if (pid == 0)
    exec_hook (hook, rd);
  close (steal_fd (&rd));

  /* A hook may exit without reading its stdin: EPIPE is not an error
   * (SIGPIPE is ignored process-wide, see main.c). */
  tr_error_t werr = NULL;
  if (write_all_fd (wr, state_json, strlen (state_json), &werr) < 0)
    {
      if (werr->status != EPIPE)
        log_debug ("hook %s: writing state: %s", hook->path, werr->msg);
      tr_error_free (&werr);
    }
  close (steal_fd (&wr));

  int status;
  if (wait_hook (pid, hook, &status, err) < 0)
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
