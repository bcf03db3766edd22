/* tinyrun events [--stats] [--interval D] <id>
 * One JSON object per line, as runc prints them: {"type":"stats",...}
 * every interval (once with --stats) and {"type":"oom",...} whenever the
 * kernel's OOM killer strikes in the container.  Ends when it stops. */
#include "config.h"
#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#define USAGE "[--stats] [--interval DURATION] <container-id>"
#define OOM_POLL_MS 100

/* Go-style durations: "5s", "500ms", "1m", "2h", or plain seconds. */
static int
parse_duration_ms (const char *text, long long *ms, tr_error_t *err)
{
  char *end;
  errno = 0;
  double v = strtod (text, &end);
  if (end == text || errno || v <= 0)
    return tr_error_plain (err, EINVAL, "--interval: \"%s\" is not a duration", text);
  double mult = strcmp (end, "ms") == 0 ? 1
                : (strcmp (end, "s") == 0 || *end == '\0') ? 1000
                : strcmp (end, "m") == 0 ? 60000
                : strcmp (end, "h") == 0 ? 3600000 : -1;
  if (mult < 0)
    return tr_error_plain (err, EINVAL, "--interval: \"%s\" has an unknown unit", text);
  *ms = (long long) (v * mult);
  return 0;
}

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static int
print_event (const char *type, const char *id, const char *cgroup_path, tr_error_t *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    return tr_error (err, ENOMEM, "events");
  yajl_gen_map_open (g);
  gen_str (g, "type");
  gen_str (g, type);
  gen_str (g, "id");
  gen_str (g, id);
  int ret = 0;
  if (strcmp (type, "stats") == 0)
    {
      gen_str (g, "data");
      ret = cgroup_stats_json (cgroup_path, g, err);
    }
  yajl_gen_map_close (g);
  const unsigned char *buf;
  size_t len;
  if (ret == 0 && yajl_gen_get_buf (g, &buf, &len) == yajl_gen_status_ok)
    {
      printf ("%.*s\n", (int) len, buf);
      fflush (stdout);
    }
  yajl_gen_free (g);
  return ret;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
cmd_events (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = {
    { "stats", no_argument, NULL, 's' },
    { "interval", required_argument, NULL, 'i' },
    { NULL, 0, NULL, 0 },
  };
  bool once = false;
  long long interval = 5000;
  const char *id;
  int c;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    {
      if (c == 's')
        once = true;
      else if (c == 'i')
        {
          if (parse_duration_ms (optarg, &interval, err) < 0)
            return 1;
        }
      else
        return cmd_usage_error (err, "events", USAGE);
    }
  if (cmd_take_id (argc, argv, "events", USAGE, &id, err) < 0)
    return 1;

  struct container_state st = { 0 };
  enum container_status status;
  int ret = 1;
  if (container_load (g->root, id, &st, &status, err) < 0)
    goto out;
  if (status == STATUS_STOPPED)
    {
      tr_error_plain (err, ESRCH, "container is not running");
      goto out;
    }
  if (once)
    {
      ret = print_event ("stats", id, st.cgroup_path, err) < 0 ? 1 : 0;
      goto out;
    }
  uint64_t ooms = 0, seen = 0;
  cgroup_oom_kills (st.cgroup_path, &seen, NULL);
  long long next_stats = now_ms ();
  for (;;)
    {
      struct container_state cur = { 0 };
      tr_error_t gone = NULL;
      bool alive = container_load (g->root, id, &cur, &status, &gone) == 0 && status != STATUS_STOPPED;
      container_state_clear (&cur);
      tr_error_free (&gone);
      if (!alive)
        break;
      if (cgroup_oom_kills (st.cgroup_path, &ooms, NULL) == 0 && ooms > seen)
        {
          seen = ooms;
          print_event ("oom", id, st.cgroup_path, NULL);
        }
      if (now_ms () >= next_stats)
        {
          if (print_event ("stats", id, st.cgroup_path, err) < 0)
            goto out;
          next_stats = now_ms () + interval;
        }
      struct timespec ts = { 0, OOM_POLL_MS * 1000000L };
      nanosleep (&ts, NULL);
    }
  ret = 0;
out:
  if (ret)
    tr_error_wrap (err, "events %s", id);
  container_state_clear (&st);
  return ret;
}
