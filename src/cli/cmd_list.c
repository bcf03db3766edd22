/* tinyrun list [--format table|json] [-q] */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define USAGE "[--format table|json] [-q|--quiet]"

static int
print_json (const struct container_list *l, tr_error_t *err)
{
  size_t len;
  cleanup_free char *json = container_list_json (l, &len, err);
  if (json == NULL)
    return -1;
  printf ("%.*s\n", (int) len, json);
  return 0;
}

static void
print_table (const struct container_list *l)
{
  printf ("%-12s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  for (size_t i = 0; i < l->n; i++)
    {
      const struct container_state *st = &l->v[i].st;
      enum container_status status = l->v[i].status;
      printf ("%-12s %-8d %-10s %-40s %-32s %s\n", st->id, status == STATUS_STOPPED ? 0 : st->pid,
              container_status_name (status), status == STATUS_UNKNOWN ? l->v[i].reason : st->bundle, st->created ? st->created : "", "root");
    }
}

int
cmd_list (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = {
    { "format", required_argument, NULL, 'f' },
    { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  bool json = false, quiet = false;
  int c;
  while ((c = getopt_long (argc, argv, "f:q", options, NULL)) != -1)
    {
      if (c == 'q')
        quiet = true;
      else if (c == 'f' && (strcmp (optarg, "json") == 0 || strcmp (optarg, "table") == 0))
        json = strcmp (optarg, "json") == 0;
      else
        return cmd_usage_error (err, "list", USAGE);
    }
  if (optind != argc)
    return cmd_usage_error (err, "list", USAGE);

  struct container_list l;
  int ret = container_list (g->root, &l, err);
  if (ret == 0 && json)
    ret = print_json (&l, err);
  else if (ret == 0 && quiet)
    for (size_t i = 0; i < l.n; i++)
      printf ("%s\n", l.v[i].st.id);
  else if (ret == 0)
    print_table (&l);
  container_list_clear (&l);
  if (ret < 0)
    {
      tr_error_wrap (err, "list");
      return 1;
    }
  return 0;
}
