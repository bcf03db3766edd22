/* tinyrun events [--stats] [--interval D] <id>
 * One JSON object per line, as runc prints them: {"type":"stats",...}
 * every interval (once with --stats) and {"type":"oom",...} whenever the
 * kernel's OOM killer strikes in the container.  Ends when it stops. */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "container/container.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "[--stats] [--interval DURATION] <container-id>"

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

/* Each event is one line, flushed at once: a reader follows it live. */
static void
print_line (const char *json, size_t len, void *data)
{
  (void) data;
  printf ("%.*s\n", (int) len, json);
  fflush (stdout);
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

  if (container_events (g->root, id, once, interval, print_line, NULL, err) < 0)
    {
      tr_error_wrap (err, "events %s", id);
      return 1;
    }
  return 0;
}
