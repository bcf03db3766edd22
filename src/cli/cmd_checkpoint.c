/* tinyrun checkpoint [options] <container-id>, with runc's flags (podman
 * passes --image-path, --work-path, --leave-running, --tcp-established,
 * --file-locks, --pre-dump and --parent-path). */
#include "config.h"
#include "cli/cmd.h"
#include "cli/criu_flags.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define CHECKPOINT_USAGE "[options] <container-id>"

enum
{
  OPT_PARENT = CRIU_OPT_FIRST_OWN,
  OPT_LEAVE,
  OPT_PRE_DUMP,
  OPT_STATUS_FD,
  OPT_PAGE_SERVER,
};

static const struct option checkpoint_options[] = {
  CRIU_COMMON_OPTIONS,
  { "parent-path", required_argument, NULL, OPT_PARENT },
  { "leave-running", no_argument, NULL, OPT_LEAVE },
  { "pre-dump", no_argument, NULL, OPT_PRE_DUMP },
  { "status-fd", required_argument, NULL, OPT_STATUS_FD },
  { "page-server", required_argument, NULL, OPT_PAGE_SERVER },
  { NULL, 0, NULL, 0 },
};

int
cmd_checkpoint (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  struct checkpoint_options o = { .root = g->root, .c = { .criu = g->criu } };
  int c;
  while ((c = getopt_long (argc, argv, "", checkpoint_options, NULL)) != -1)
    {
      if (criu_flags_take (c, optarg, &o.c))
        continue;
      switch (c)
        {
        case OPT_PARENT:
          o.parent_path = optarg;
          break;
        case OPT_LEAVE:
          o.leave_running = true;
          break;
        case OPT_PRE_DUMP:
          o.pre_dump = true;
          break;
        case OPT_STATUS_FD:
        case OPT_PAGE_SERVER:
          return cmd_usage_error (err, "checkpoint", "--status-fd and --page-server are not supported");
        default:
          return cmd_usage_error (err, "checkpoint", CHECKPOINT_USAGE);
        }
    }
  if (o.c.empty_ns && strcmp (o.c.empty_ns, "net") != 0)
    return cmd_usage_error (err, "checkpoint", "--empty-ns network");
  if (cmd_take_id (argc, argv, "checkpoint", CHECKPOINT_USAGE, &o.id, err) < 0)
    return 1;
  if (container_checkpoint (&o, err) < 0)
    {
      tr_error_wrap (err, "checkpoint %s", o.id);
      return 1;
    }
  return 0;
}
