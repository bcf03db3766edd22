/* `ps`: ps(1)'s output cut down to the container's pids. */
#include "config.h"
#include "container/container.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool
has_pid (const pid_t *pids, size_t n, long pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

/* Start ps with its stdout on a pipe; *rd receives the read end. */
static pid_t
spawn_ps (char **ps_args, int n_args, int *rd, tr_error_t *err)
{
  char *argv[n_args + 3];
  argv[0] = (char *) "ps";
  int k = 1;
  if (n_args == 0)
    argv[k++] = (char *) "-ef";
  for (int i = 0; i < n_args; i++)
    argv[k++] = ps_args[i];
  argv[k] = NULL;
  int pipefd[2];
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return tr_error (err, errno, "pipe");
  pid_t child = fork ();
  if (child < 0)
    {
      int saved = errno;
      close (pipefd[0]);
      close (pipefd[1]);
      return tr_error (err, saved, "fork ps");
    }
  if (child == 0)
    {
      dup2 (pipefd[1], STDOUT_FILENO);
      execvp ("ps", argv);
      _exit (127);
    }
  close (pipefd[1]);
  *rd = pipefd[0];
  return child;
}

/* The index of the PID column in ps's header, or -1. */
static int
pid_column (const char *header)
{
  char copy[4096];
  snprintf (copy, sizeof copy, "%s", header);
  int col = 0, pid_col = -1;
  for (char *save, *t = strtok_r (copy, " \t\n", &save); t; t = strtok_r (NULL, " \t\n", &save), col++)
    if (strcmp (t, "PID") == 0)
      pid_col = col;
  return pid_col;
}

static bool
line_is_ours (const char *line, int pid_col, const pid_t *pids, size_t n)
{
  char copy[4096];
  snprintf (copy, sizeof copy, "%s", line);
  char *save, *t = strtok_r (copy, " \t\n", &save);
  for (int col = 0; t && col < pid_col; col++)
    t = strtok_r (NULL, " \t\n", &save);
  return t && has_pid (pids, n, strtol (t, NULL, 10));
}

/* Copy the header and our pids' lines to out; returns the PID column. */
static int
filter (FILE *f, const pid_t *pids, size_t n, FILE *out)
{
  char *line = NULL;
  size_t cap = 0;
  int pid_col = -1;
  bool header = true;
  while (f && getline (&line, &cap, f) > 0)
    {
      if (header)
        {
          pid_col = pid_column (line);
          fputs (line, out);
          if (pid_col < 0)
            break;
          header = false;
        }
      else if (line_is_ours (line, pid_col, pids, n))
        fputs (line, out);
    }
  free (line);
  return pid_col;
}

static int
print_table (char **ps_args, int n_args, const pid_t *pids, size_t n, FILE *out, tr_error_t *err)
{
  int rd = -1;
  pid_t child = spawn_ps (ps_args, n_args, &rd, err);
  if (child < 0)
    return -1;
  int pid_col;
  {
    cleanup_file FILE *f = fdopen (rd, "r");
    if (f == NULL)
      close (rd);
    pid_col = filter (f, pids, n, out);
  }
  int status;
  waitpid (child, &status, 0);
  if (pid_col < 0)
    return tr_error_plain (err, EINVAL, "ps: no PID column in ps's output");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return tr_error_plain (err, EINVAL, "ps: ps exited with status %d", WEXITSTATUS (status));
  return 0;
}

int
container_ps_table (const char *root, const char *id, char **ps_args, int n_args, FILE *out, tr_error_t *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  if (container_pids (root, id, &pids, &n, err) < 0)
    return -1;
  fflush (out);
  return print_table (ps_args, n_args, pids, n, out, err);
}
