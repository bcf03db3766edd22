/* tinyrun delete [--force] <id> */
#include "config.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <getopt.h>

#define USAGE "[--force] <container-id>"

int
cmd_delete (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  bool force = false;
  const char *id;
  int c;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    {
      if (c != 'f')
        return cmd_usage_error (err, "delete", USAGE);
      force = true;
    }
  if (cmd_take_id (argc, argv, "delete", USAGE, &id, err) < 0)
    return 1;
  if (container_delete (g->root, id, force, err) < 0)
    {
      tr_error_wrap (err, "delete %s", id);
      return 1;
    }
  return 0;
}
