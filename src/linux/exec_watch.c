#include "config.h"
#include "linux/exec_watch.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

int
exec_watch_begin (pid_t pid, tr_error_t *err)
{
  if (ptrace (PTRACE_SEIZE, pid, NULL, (void *) (long) PTRACE_O_TRACEEXEC) < 0)
    return tr_error (err, errno, "watch process %d", pid);
  return 0;
}

static void
describe_exit (int status, char *how, size_t how_size)
{
  if (WIFSIGNALED (status))
    snprintf (how, how_size, "killed by signal %d (%s)", WTERMSIG (status), strsignal (WTERMSIG (status)));
  else
    snprintf (how, how_size, "exit status %d", WEXITSTATUS (status));
}

int
exec_watch_wait (pid_t pid, char *how, size_t how_size, tr_error_t *err)
{
  for (;;)
    {
      int status;
      if (waitpid (pid, &status, __WALL) < 0)
        {
          if (errno == EINTR)
            continue;
          return tr_error (err, errno, "wait for process %d", pid);
        }
      if (WIFEXITED (status) || WIFSIGNALED (status))
        {
          describe_exit (status, how, how_size);
          return 0;
        }
      if (!WIFSTOPPED (status))
        continue;
      if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))
        {
          if (ptrace (PTRACE_DETACH, pid, NULL, NULL) < 0 && errno != ESRCH)
            return tr_error (err, errno, "detach from process %d", pid);
          return 1;
        }
      /* A signal for the process (or a group stop): pass it on. */
      int sig = WSTOPSIG (status);
      if (status >> 16 == PTRACE_EVENT_STOP)
        sig = 0;
      if (ptrace (PTRACE_CONT, pid, NULL, (void *) (long) sig) < 0 && errno != ESRCH)
        return tr_error (err, errno, "resume process %d", pid);
    }
}
