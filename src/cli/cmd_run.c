/* tinyrun run [-d] [--keep] [create options] <id> */
#include "config.h"
#include "cli/cmd.h"
#include "container/run.h"
#include "cli/create_flags.h"

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#define USAGE "[-d|--detach] [--keep] [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--pidfd-socket SOCK] [--no-pivot] " \
              "[--no-new-keyring] [--preserve-fds N] <container-id>"

enum
{
  OPT_KEEP = 400,
};

int
cmd_run (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = {
    CREATE_LONG_OPTIONS,
    { "detach", no_argument, NULL, 'd' },
    { "keep", no_argument, NULL, OPT_KEEP },
    { NULL, 0, NULL, 0 },
  };
  struct create_options o = { .root = g->root, .systemd_cgroup = g->systemd_cgroup };
  bool detach = false, keep = false;
  int c;
  while ((c = getopt_long (argc, argv, "b:d", options, NULL)) != -1)
    {
      if (c == 'd')
        detach = true;
      else if (c == OPT_KEEP)
        keep = true;
      else
        {
          int r = create_flag (c, optarg, &o, err);
          if (r < 0)
            return 1;
          if (r == 0)
            return cmd_usage_error (err, "run", USAGE);
        }
    }
  if (cmd_take_id (argc, argv, "run", USAGE, &o.id, err) < 0 || create_flags_finish (&o, err) < 0)
    return 1;
  /* In the foreground without a console socket, tinyrun relays the
   * container's terminal itself. */
  o.keep_pty = !detach && o.console_socket == NULL;
  o.start_follows = true;
  int status;
  if (container_run (&o, detach, keep, &status, err) < 0)
    {
      tr_error_wrap (err, "run %s", o.id);
      return 1;
    }
  return status;
}
