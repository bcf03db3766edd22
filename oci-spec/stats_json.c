#include "config.h"
#include "oci-spec/stats_json.h"
#include "oci-spec/json_write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static void
num (yajl_gen g, const char *k, uint64_t v)
{
  jw_str (g, k);
  yajl_gen_integer (g, (long long) v);
}

static void
gen_cpu (yajl_gen g, const struct container_stats *s)
{
  jw_str (g, "cpu");
  yajl_gen_map_open (g);
  jw_str (g, "usage");
  yajl_gen_map_open (g);
  num (g, "total", s->cpu_usage.total);
  num (g, "kernel", s->cpu_usage.kernel);
  num (g, "user", s->cpu_usage.user);
  yajl_gen_map_close (g);
  jw_str (g, "throttling");
  yajl_gen_map_open (g);
  num (g, "periods", s->throttling.periods);
  num (g, "throttled_periods", s->throttling.throttled_periods);
  num (g, "throttled_time", s->throttling.throttled_time);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
}

static void
gen_usage (yajl_gen g, const char *k, const struct stats_usage *u)
{
  jw_str (g, k);
  yajl_gen_map_open (g);
  num (g, "usage", u->usage);
  num (g, "max_usage", u->max_usage);
  num (g, "limit", u->limit);
  num (g, "failcnt", u->failcnt);
  yajl_gen_map_close (g);
}

static void
gen_memory (yajl_gen g, const struct container_stats *s)
{
  jw_str (g, "memory");
  yajl_gen_map_open (g);
  if (s->has_memory)
    {
      gen_usage (g, "usage", &s->memory);
      gen_usage (g, "swap", &s->swap);
      jw_str (g, "raw");
      yajl_gen_map_open (g);
      for (size_t i = 0; i < s->n_raw; i++)
        num (g, s->raw[i].key, s->raw[i].value);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
}

/* The end of the document: pids, and an (empty) blkio. */
static void
gen_pids_and_blkio (yajl_gen g, const struct container_stats *s)
{
  jw_str (g, "pids");
  yajl_gen_map_open (g);
  num (g, "current", s->pids_current);
  num (g, "limit", s->pids_limit);
  yajl_gen_map_close (g);
  jw_str (g, "blkio");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
}

char *
stats_json_event (const char *type, const char *id, const struct container_stats *stats, size_t *len,
                  tr_error_t *err)
{
  yajl_gen g = jw_new (false, "events", err);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  jw_str (g, "type");
  jw_str (g, type);
  jw_str (g, "id");
  jw_str (g, id);
  if (stats)
    {
      jw_str (g, "data");
      yajl_gen_map_open (g);
      gen_cpu (g, stats);
      gen_memory (g, stats);
      gen_pids_and_blkio (g, stats);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
  return jw_finish (g, len, "events", err);
}
