/* tinyrun create [--bundle DIR] [--pid-file F] [--console-socket S]
 *                [--pidfd-socket S] [--no-pivot] [--no-new-keyring] [--preserve-fds N] <id> */
#include "config.h"
#include "cli/cmd.h"
#include "cli/create_flags.h"

#include <getopt.h>

#define USAGE "[--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--pidfd-socket SOCK] [--no-pivot] [--no-new-keyring] " \
              "[--preserve-fds N] <container-id>"

int
cmd_create (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = { CREATE_LONG_OPTIONS, { NULL, 0, NULL, 0 } };
  struct create_options o = { .root = g->root, .systemd_cgroup = g->systemd_cgroup };
  int c;
  while ((c = getopt_long (argc, argv, "b:", options, NULL)) != -1)
    {
      int r = create_flag (c, optarg, &o, err);
      if (r < 0)
        return 1;
      if (r == 0)
        return cmd_usage_error (err, "create", USAGE);
    }
  if (cmd_take_id (argc, argv, "create", USAGE, &o.id, err) < 0 || create_flags_finish (&o, err) < 0)
    return 1;
  struct created_container out;
  if (container_create (&o, &out, err) < 0)
    {
      tr_error_wrap (err, "create %s", o.id);
      return 1;
    }
  return 0;
}
