/* tinyrun state <id>: the runtime-spec state JSON. */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <getopt.h>
#include <stdio.h>

int
cmd_state (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = { { NULL, 0, NULL, 0 } };
  const char *id;
  if (getopt_long (argc, argv, "", options, NULL) != -1)
    return cmd_usage_error (err, "state", "<container-id>");
  if (cmd_take_id (argc, argv, "state", "<container-id>", &id, err) < 0)
    return 1;
  cleanup_free char *json = container_state_json (g->root, id, err);
  if (json == NULL)
    {
      tr_error_wrap (err, "state %s", id);
      return 1;
    }
  printf ("%s\n", json);
  return 0;
}
