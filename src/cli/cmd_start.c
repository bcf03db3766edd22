/* tinyrun start <id> */
#include "config.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <getopt.h>

int
cmd_start (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = { { NULL, 0, NULL, 0 } };
  const char *id;
  if (getopt_long (argc, argv, "", options, NULL) != -1)
    return cmd_usage_error (err, "start", "<container-id>");
  if (cmd_take_id (argc, argv, "start", "<container-id>", &id, err) < 0)
    return 1;
  if (container_start (g->root, id, true, err) < 0)
    {
      tr_error_wrap (err, "start %s", id);
      return 1;
    }
  return 0;
}
