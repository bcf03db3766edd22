/* tinyrun restore [options] <container-id>, with runc's flags (conmon
 * passes --bundle, --pid-file, --detach, --image-path, --work-path and,
 * from podman, --tcp-established and --file-locks). */
#include "config.h"
#include "cli/cmd.h"
#include "cli/criu_flags.h"

#include <getopt.h>
#include <string.h>

#define RESTORE_USAGE "[options] <container-id>"

enum
{
  OPT_BUNDLE = CRIU_OPT_FIRST_OWN,
  OPT_DETACH,
  OPT_PID_FILE,
  OPT_CONSOLE,
  OPT_LSM_PROFILE,
  OPT_LSM_MOUNT_CONTEXT,
  OPT_IGNORED,
};

static const struct option restore_options[] = {
  CRIU_COMMON_OPTIONS,
  { "bundle", required_argument, NULL, OPT_BUNDLE },
  { "detach", no_argument, NULL, OPT_DETACH },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "console-socket", required_argument, NULL, OPT_CONSOLE },
  { "lsm-profile", required_argument, NULL, OPT_LSM_PROFILE },
  { "lsm-mount-context", required_argument, NULL, OPT_LSM_MOUNT_CONTEXT },
  /* runc's: tinyrun never pivots for criu and is always the parent. */
  { "no-subreaper", no_argument, NULL, OPT_IGNORED },
  { "no-pivot", no_argument, NULL, OPT_IGNORED },
  { NULL, 0, NULL, 0 },
};

int
cmd_restore (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  struct restore_options o = { .root = g->root, .systemd_cgroup = g->systemd_cgroup, .c = { .criu = g->criu } };
  int c;
  while ((c = getopt_long (argc, argv, "b:d", restore_options, NULL)) != -1)
    {
      if (criu_flags_take (c, optarg, &o.c))
        continue;
      switch (c)
        {
        case 'b':
        case OPT_BUNDLE:
          o.bundle = optarg;
          break;
        case 'd':
        case OPT_DETACH:
          o.detach = true;
          break;
        case OPT_PID_FILE:
          o.pid_file = optarg;
          break;
        case OPT_CONSOLE:
          o.console_socket = optarg;
          break;
        case OPT_LSM_PROFILE:
          o.lsm_profile = optarg;
          break;
        case OPT_LSM_MOUNT_CONTEXT:
          o.lsm_mount_context = optarg;
          break;
        case OPT_IGNORED:
          break;
        default:
          return cmd_usage_error (err, "restore", RESTORE_USAGE);
        }
    }
  if (o.c.empty_ns && strcmp (o.c.empty_ns, "net") != 0)
    return cmd_usage_error (err, "restore", "--empty-ns network");
  if (cmd_take_id (argc, argv, "restore", RESTORE_USAGE, &o.id, err) < 0)
    return 1;
  int status = 0;
  if (container_restore (&o, &status, err) < 0)
    {
      tr_error_wrap (err, "restore %s", o.id);
      return 1;
    }
  return status;
}
