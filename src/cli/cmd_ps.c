/* tinyrun ps [--format table|json] <id> [ps options...]
 * json: a JSON array of host pids (what containerd and podman read);
 * table: ps(1)'s output (default -ef) cut down to the container's pids. */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE "[--format table|json] <container-id> [-- ps options]"

static bool
has_pid (const pid_t *pids, size_t n, long pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

/* Run ps with the given options and keep the header and our pids' lines;
 * the PID column is found from the header, as runc does. */
static int
print_table (char **ps_args, int n_args, const pid_t *pids, size_t n, tr_error_t *err)
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
    return tr_error (err, errno, "fork ps");
  if (child == 0)
    {
      dup2 (pipefd[1], STDOUT_FILENO);
      execvp ("ps", argv);
      _exit (127);
    }
  close (pipefd[1]);
  cleanup_file FILE *f = fdopen (pipefd[0], "r");
  char *line = NULL;
  size_t cap = 0;
  int pid_col = -1;
  while (f && getline (&line, &cap, f) > 0)
    {
      if (pid_col < 0)
        {
          char copy[4096];
          snprintf (copy, sizeof copy, "%s", line);
          int col = 0;
          for (char *save, *t = strtok_r (copy, " \t\n", &save); t; t = strtok_r (NULL, " \t\n", &save), col++)
            if (strcmp (t, "PID") == 0)
              pid_col = col;
          fputs (line, stdout);
          if (pid_col < 0)
            break;
          continue;
        }
      char copy[4096];
      snprintf (copy, sizeof copy, "%s", line);
      char *save, *t = strtok_r (copy, " \t\n", &save);
      for (int col = 0; t && col < pid_col; col++)
        t = strtok_r (NULL, " \t\n", &save);
      if (t && has_pid (pids, n, strtol (t, NULL, 10)))
        fputs (line, stdout);
    }
  free (line);
  int status;
  waitpid (child, &status, 0);
  if (pid_col < 0)
    return tr_error_plain (err, EINVAL, "ps: no PID column in ps's output");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return tr_error_plain (err, EINVAL, "ps: ps exited with status %d", WEXITSTATUS (status));
  return 0;
}

int
cmd_ps (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  bool json = false;
  int c;
  /* "+": stop at the id; what follows it belongs to ps(1). */
  while ((c = getopt_long (argc, argv, "+f:", options, NULL)) != -1)
    {
      if (c == 'f' && (strcmp (optarg, "json") == 0 || strcmp (optarg, "table") == 0))
        json = strcmp (optarg, "json") == 0;
      else
        return cmd_usage_error (err, "ps", USAGE);
    }
  if (optind >= argc)
    return cmd_usage_error (err, "ps", USAGE);
  const char *id = argv[optind++];
  if (optind < argc && strcmp (argv[optind], "--") == 0)
    optind++;
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  if (container_pids (g->root, id, &pids, &n, err) < 0)
    {
      tr_error_wrap (err, "ps %s", id);
      return 1;
    }
  if (json)
    {
      printf ("[");
      for (size_t i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", pids[i]);
      printf ("]\n");
      return 0;
    }
  fflush (stdout);
  if (print_table (argv + optind, argc - optind, pids, n, err) < 0)
    {
      tr_error_wrap (err, "ps %s", id);
      return 1;
    }
  return 0;
}
