/* `events`: the container's statistics every interval and its OOM kills,
 * as long as it runs. */
#include "config.h"
#include "cgroup/cgroup.h"
#include "container/container.h"
#include "oci-spec/stats_json.h"
#include "util/cleanup.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define OOM_POLL_MS 100

struct events_ctx
{
  const char *root;
  const char *id;
  const char *cgroup_path;
  container_event_fn emit;
  void *data;
};

/* One event; "stats" carries the cgroup's numbers. */
static int
emit_event (const struct events_ctx *c, const char *type, tr_error_t *err)
{
  cleanup_stats struct container_stats stats = { 0 };
  bool with_stats = strcmp (type, "stats") == 0;
  if (with_stats && cgroup_stats (c->cgroup_path, &stats, err) < 0)
    return -1;
  size_t len;
  cleanup_free char *json = stats_json_event (type, c->id, with_stats ? &stats : NULL, &len, err);
  if (json == NULL)
    return -1;
  c->emit (json, len, c->data);
  return 0;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A container that cannot be loaded any more (deleted) has stopped too. */
static bool
still_running (const struct events_ctx *c)
{
  struct container_state cur = { 0 };
  enum container_status status;
  cleanup_error tr_error_t gone = NULL;
  bool alive = container_load (c->root, c->id, &cur, &status, &gone) == 0 && status != STATUS_STOPPED;
  container_state_clear (&cur);
  return alive;
}

static int
watch (const struct events_ctx *c, long long interval_ms, tr_error_t *err)
{
  uint64_t ooms = 0, seen = 0;
  cgroup_oom_kills (c->cgroup_path, &seen, NULL);
  long long next_stats = now_ms ();
  while (still_running (c))
    {
      /* An OOM event that cannot be encoded is dropped; the watch goes on. */
      if (cgroup_oom_kills (c->cgroup_path, &ooms, NULL) == 0 && ooms > seen)
        {
          seen = ooms;
          emit_event (c, "oom", NULL);
        }
      if (now_ms () >= next_stats)
        {
          if (emit_event (c, "stats", err) < 0)
            return -1;
          next_stats = now_ms () + interval_ms;
        }
      struct timespec ts = { 0, OOM_POLL_MS * 1000000L };
      nanosleep (&ts, NULL);
    }
  return 0;
}

static int
events_of (struct events_ctx *c, struct container_state *st, bool once, long long interval_ms, tr_error_t *err)
{
  enum container_status status;
  if (container_load (c->root, c->id, st, &status, err) < 0)
    return -1;
  if (status == STATUS_STOPPED)
    return tr_error_plain (err, ESRCH, "container is not running");
  c->cgroup_path = st->cgroup_path;
  /* Rootless without a cgroup: "" is no path, not the root cgroup. */
  if (c->cgroup_path == NULL || c->cgroup_path[0] == '\0')
    return tr_error_plain (err, ENOENT, "container has no cgroup");
  if (once)
    return emit_event (c, "stats", err);
  return watch (c, interval_ms, err);
}

int
container_events (const char *root, const char *id, bool once, long long interval_ms, container_event_fn emit,
                  void *data, tr_error_t *err)
{
  struct events_ctx c = { .root = root, .id = id, .emit = emit, .data = data };
  struct container_state st = { 0 };
  int ret = events_of (&c, &st, once, interval_ms, err);
  container_state_clear (&st);
  return ret;
}
