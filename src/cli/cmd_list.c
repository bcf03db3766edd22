/* tinyrun list [--format table|json] [-q] */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#define USAGE "[--format table|json] [-q|--quiet]"

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) (s ? s : ""), s ? strlen (s) : 0);
}

static void
gen_entry (yajl_gen g, const struct container_state *st, enum container_status status)
{
  yajl_gen_map_open (g);
  gen_str (g, "ociVersion");
  gen_str (g, "1.2.0");
  gen_str (g, "id");
  gen_str (g, st->id);
  gen_str (g, "pid");
  yajl_gen_integer (g, status == STATUS_STOPPED ? 0 : st->pid);
  gen_str (g, "status");
  gen_str (g, container_status_name (status));
  gen_str (g, "bundle");
  gen_str (g, st->bundle);
  gen_str (g, "rootfs");
  gen_str (g, st->rootfs);
  gen_str (g, "created");
  gen_str (g, st->created);
  gen_str (g, "owner");
  gen_str (g, st->owner && st->owner[0] ? st->owner : "root");
  yajl_gen_map_close (g);
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

  cleanup_dir DIR *d = opendir (g->root);
  if (d == NULL && errno != ENOENT)
    {
      tr_error (err, errno, "list: open %s", g->root);
      return 1;
    }
  yajl_gen gen = yajl_gen_alloc (NULL);
  yajl_gen_array_open (gen);
  if (!json && !quiet)
    printf ("%-12s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      struct container_state st = { 0 };
      enum container_status status;
      tr_error_t ignored = NULL;
      if (container_load (g->root, de->d_name, &st, &status, &ignored) < 0)
        {
          /* Being created or deleted right now: not listed. */
          tr_error_free (&ignored);
          continue;
        }
      if (json)
        gen_entry (gen, &st, status);
      else if (quiet)
        printf ("%s\n", st.id);
      else
        printf ("%-12s %-8d %-10s %-40s %-32s %s\n", st.id, status == STATUS_STOPPED ? 0 : st.pid,
                container_status_name (status), st.bundle, st.created ? st.created : "", "root");
      container_state_clear (&st);
    }
  yajl_gen_array_close (gen);
  if (json)
    {
      const unsigned char *buf;
      size_t len;
      yajl_gen_get_buf (gen, &buf, &len);
      printf ("%.*s\n", (int) len, buf);
    }
  yajl_gen_free (gen);
  return 0;
}
