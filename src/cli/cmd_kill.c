/* tinyrun kill [--all] <id> [SIGNAL] */
#include "config.h"
#include "cli/cmd.h"
#include "container/container.h"
#include "util/signals.h"

#include <getopt.h>
#include <signal.h>

#define USAGE "[--all] <container-id> [SIGNAL]"

int
cmd_kill (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = { { "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 } };
  bool all = false;
  int c, sig = SIGTERM;
  while ((c = getopt_long (argc, argv, "a", options, NULL)) != -1)
    {
      if (c != 'a')
        return cmd_usage_error (err, "kill", USAGE);
      all = true;
    }
  if (optind != argc - 1 && optind != argc - 2)
    return cmd_usage_error (err, "kill", USAGE);
  const char *id = argv[optind];
  if (optind == argc - 2 && signal_parse (argv[optind + 1], &sig, err) < 0)
    {
      tr_error_wrap (err, "kill %s", id);
      return 1;
    }
  if (container_kill (g->root, id, sig, all, err) < 0)
    {
      tr_error_wrap (err, "kill %s", id);
      return 1;
    }
  return 0;
}
