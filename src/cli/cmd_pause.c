/* tinyrun pause <id> / tinyrun resume <id> */
#include "config.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <getopt.h>

static int
pause_or_resume (const struct globals *g, int argc, char **argv, bool pause, tr_error_t *err)
{
  static const struct option options[] = { { NULL, 0, NULL, 0 } };
  const char *name = pause ? "pause" : "resume";
  const char *id;
  if (getopt_long (argc, argv, "", options, NULL) != -1)
    return cmd_usage_error (err, name, "<container-id>");
  if (cmd_take_id (argc, argv, name, "<container-id>", &id, err) < 0)
    return 1;
  if (container_pause (g->root, id, pause, err) < 0)
    {
      tr_error_wrap (err, "%s %s", name, id);
      return 1;
    }
  return 0;
}

int
cmd_pause (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  return pause_or_resume (g, argc, argv, true, err);
}

int
cmd_resume (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  return pause_or_resume (g, argc, argv, false, err);
}
