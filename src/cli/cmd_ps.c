/* tinyrun ps [--format table|json] <id> [ps options...]
 * json: a JSON array of host pids (what containerd and podman read);
 * table: ps(1)'s output (default -ef) cut down to the container's pids. */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define USAGE "[--format table|json] <container-id> [-- ps options]"

static int
print_json (const char *root, const char *id, tr_error_t *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  if (container_pids (root, id, &pids, &n, err) < 0)
    return -1;
  printf ("[");
  for (size_t i = 0; i < n; i++)
    printf ("%s%d", i ? "," : "", pids[i]);
  printf ("]\n");
  return 0;
}

int
cmd_ps (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  bool json = false;
  int c;
  /* "+": stop at the id; what follows it belongs to ps(1). */
  while ((c = getopt_long (argc, argv, "+f:", options, NULL)) != -1)
    {
      if (c == 'f' && (strcmp (optarg, "json") == 0 || strcmp (optarg, "table") == 0))
        json = strcmp (optarg, "json") == 0;
      else
        return cmd_usage_error (err, "ps", USAGE);
    }
  if (optind >= argc)
    return cmd_usage_error (err, "ps", USAGE);
  const char *id = argv[optind++];
  if (optind < argc && strcmp (argv[optind], "--") == 0)
    optind++;
  char **ps_args = argv + optind;
  int n_args = argc - optind;
  if ((json ? print_json (g->root, id, err) : container_ps_table (g->root, id, ps_args, n_args, stdout, err)) < 0)
    {
      tr_error_wrap (err, "ps %s", id);
      return 1;
    }
  return 0;
}
