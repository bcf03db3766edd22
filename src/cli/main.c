/* tinyrun [global options] <command> [options] <container-id>
 *
 * Global options come before the command, as with runc, because container
 * engines call it that way. */
#include "config.h"
#include "cli/cmd.h"
#include "util/log.h"
#include "container/entry.h"
#include "container/state.h"
#include "container/features.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct
{
  const char *name;
  command_fn fn;
  const char *summary;
} commands[] = {
  { "create", cmd_create, "create a container from a bundle, ready to start" },
  { "start", cmd_start, "run the user process of a created container" },
  { "state", cmd_state, "print the state of a container as JSON" },
  { "kill", cmd_kill, "send a signal to a container's init (or all its processes)" },
  { "delete", cmd_delete, "delete a stopped container (or any, with --force)" },
  { "run", cmd_run, "create and start a container, wait for it, delete it" },
  { "exec", cmd_exec, "run another process in a running container" },
  { "list", cmd_list, "list containers" },
  { "ps", cmd_ps, "list the processes of a container" },
  { "pause", cmd_pause, "freeze every process of a container" },
  { "resume", cmd_resume, "thaw a paused container" },
  { "update", cmd_update, "change the resource limits of a container" },
  { "events", cmd_events, "print container statistics and events" },
  { "spec", cmd_spec, "write a default config.json" },
  { "checkpoint", cmd_checkpoint, "checkpoint a running container with criu" },
  { "restore", cmd_restore, "restore a container from a criu checkpoint" },
  { "features", cmd_features, "print what this runtime supports, as JSON" },
};

/* runc's layout: version, commit (baked in by configure), the
 * runtime-spec version, the libseccomp linked at run time. */
static void
print_version (void)
{
  char seccomp[32];
  printf ("tinyrun version %s\ncommit: %s\nspec: 1.3.0\nlibseccomp: %s\n", PACKAGE_VERSION, TINYRUN_COMMIT,
          container_seccomp_version (seccomp, sizeof seccomp));
}

static const char *
summary_of (const char *name)
{
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (commands[i].name, name) == 0)
      return commands[i].summary;
  return NULL;
}

static void
print_help (void)
{
  printf ("usage: tinyrun [global options] <command> [options] <container-id>\n\n"
          "An OCI container runtime.\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    printf ("  %-10s %s\n", commands[i].name, commands[i].summary);
  printf ("  %-10s %s\n", "help", "print the help of a command (tinyrun help <command>)");
  printf ("\nglobal options:\n"
          "  --root DIR              state directory (default " TINYRUN_DEFAULT_ROOT ",\n"
          "                          $XDG_RUNTIME_DIR/tinyrun for an ordinary user)\n"
          "  --log FILE              also write errors and warnings to FILE\n"
          "  --log-format text|json  format of --log (default text)\n"
          "  --debug                 log debug messages\n"
          "  --criu PATH             the criu binary for checkpoint and restore (default: criu)\n"
          "  --systemd-cgroup        the cgroup is a systemd scope (cgroupsPath slice:prefix:name)\n"
          "  --rootless true|false|auto  rootless cgroups and devices (auto: uid not 0, or in a user ns)\n"
          "  -v, --version           print the version\n"
          "  -h, --help              print this help\n\n"
          "See tinyrun(8) and tinyrun-<command>(8).\n");
}

enum
{
  OPT_ROOT = 256,
  OPT_LOG,
  OPT_LOG_FORMAT,
  OPT_DEBUG,
  OPT_SYSTEMD_CGROUP,
  OPT_ROOTLESS,
  OPT_CRIU,
};

static const struct option global_options[] = {
  { "root", required_argument, NULL, OPT_ROOT },
  { "log", required_argument, NULL, OPT_LOG },
  { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
  { "debug", no_argument, NULL, OPT_DEBUG },
  { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
  { "rootless", required_argument, NULL, OPT_ROOTLESS },
  { "criu", required_argument, NULL, OPT_CRIU },
  { "version", no_argument, NULL, 'v' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* The global options, before the command.  Returns 0 to go on, 1 when
 * the run is over (-v, -h) with *status set. */
static int
parse_globals (int argc, char **argv, struct globals *g, const char **log_path, enum log_format *log_format,
               int *status)
{
  int c;
  tr_error_t bad = NULL;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+vh", global_options, NULL)) != -1)
    {
      *status = 0;
      switch (c)
        {
        case OPT_ROOT:
          g->root = optarg;
          break;
        case OPT_LOG:
          *log_path = optarg;
          break;
        case OPT_LOG_FORMAT:
          if (strcmp (optarg, "json") == 0)
            *log_format = LOG_FORMAT_JSON;
          else if (strcmp (optarg, "text") == 0)
            *log_format = LOG_FORMAT_TEXT;
          else
            {
              fprintf (stderr, "tinyrun: --log-format: \"%s\" is not text or json\n", optarg);
              *status = 1;
              return 1;
            }
          break;
        case OPT_DEBUG:
          g->debug = true;
          break;
        case OPT_SYSTEMD_CGROUP:
          g->systemd_cgroup = true;
          break;
        case OPT_CRIU:
          g->criu = optarg;
          break;
        case OPT_ROOTLESS:
          if (state_set_rootless (optarg, &bad) < 0)
            {
              fprintf (stderr, "tinyrun: %s\n", bad->msg);
              tr_error_free (&bad);
              *status = 1;
              return 1;
            }
          break;
        case 'v':
          print_version ();
          return 1;
        case 'h':
          print_help ();
          return 1;
        default:
          fprintf (stderr, "tinyrun: unknown global option %s (see tinyrun --help)\n", argv[optind - 1]);
          *status = 1;
          return 1;
        }
    }
  return 0;
}

/* `tinyrun help [command]`: the same text as --help. */
static int
help_command (int argc, char **argv)
{
  if (argc == 1)
    {
      print_help ();
      return 0;
    }
  const char *summary = summary_of (argv[1]);
  if (argc != 2 || summary == NULL)
    {
      log_error ("usage: tinyrun help [command] (see tinyrun --help)");
      return 1;
    }
  return cmd_help (argv[1], summary) < 0;
}

/* Run the command argv[0] with its own options; errors are printed here,
 * once. */
static int
run_command (const struct globals *g, int argc, char **argv)
{
  tr_error_t err = NULL;
  if (strcmp (argv[0], "help") == 0)
    return help_command (argc, argv);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    {
      if (strcmp (commands[i].name, argv[0]) != 0)
        continue;
      if (cmd_help_requested (argv[0], argc, argv))
        return cmd_help (argv[0], commands[i].summary) < 0;
      /* Subcommand options: reset getopt for the command's own argv. */
      optind = 0;
      int status = commands[i].fn (g, argc, argv, &err);
      if (err)
        {
          log_error ("%s", err->msg);
          tr_error_free (&err);
          return status ? status : 1;
        }
      return status;
    }
  log_error ("unknown command \"%s\" (see tinyrun --help)", argv[0]);
  return 1;
}

int
main (int argc, char **argv)
{
  struct globals g = { .root = NULL };
  const char *log_path = NULL;
  enum log_format log_format = LOG_FORMAT_TEXT;
  tr_error_t err = NULL;
  int status = 0;

  /* A hook or a console peer that goes away must not kill the runtime:
   * EPIPE is handled where writes happen. */
  signal (SIGPIPE, SIG_IGN);
  /* Inherited ignored, SIGCHLD would have the kernel reap our children
   * itself, and every wait for the init, a hook or exec's process would
   * block until all of them are gone (`tinyrun exec` from a caller that
   * ignores SIGCHLD hung). */
  signal (SIGCHLD, SIG_DFL);

  if (parse_globals (argc, argv, &g, &log_path, &log_format, &status) != 0)
    return status;
  /* After --rootless, which it depends on. */
  if (g.root == NULL)
    g.root = state_default_root ();
  if (log_open (log_path, log_format, g.debug, &err) < 0)
    {
      fprintf (stderr, "tinyrun: %s\n", err->msg);
      tr_error_free (&err);
      return 1;
    }
  if (optind >= argc)
    {
      print_help ();
      return 1;
    }
  /* Before the command parses anything: the argv it may re-execute with
   * (container/entry.h). */
  container_entry_prepare (argv);
  if (container_entry_arrived (&err) < 0
      || container_systemd_reachable (g.systemd_cgroup && container_command_may_use_systemd (argv[optind]), &err) < 0)
    {
      log_error ("%s", err->msg);
      tr_error_free (&err);
      return 1;
    }
  return run_command (&g, argc - optind, argv + optind);
}
