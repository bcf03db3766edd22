#include "config.h"
#include "oci-spec/stats_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static void
key (yajl_gen g, const char *k)
{
  yajl_gen_string (g, (const unsigned char *) k, strlen (k));
}

static void
num (yajl_gen g, const char *k, uint64_t v)
{
  key (g, k);
  yajl_gen_integer (g, (long long) v);
}

static void
gen_cpu (yajl_gen g, const struct container_stats *s)
{
  key (g, "cpu");
  yajl_gen_map_open (g);
  key (g, "usage");
  yajl_gen_map_open (g);
  num (g, "total", s->cpu_usage.total);
  num (g, "kernel", s->cpu_usage.kernel);
  num (g, "user", s->cpu_usage.user);
  yajl_gen_map_close (g);
  key (g, "throttling");
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
  key (g, k);
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
  key (g, "memory");
  yajl_gen_map_open (g);
  if (s->has_memory)
    {
      gen_usage (g, "usage", &s->memory);
      gen_usage (g, "swap", &s->swap);
      key (g, "raw");
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
  key (g, "pids");
  yajl_gen_map_open (g);
  num (g, "current", s->pids_current);
  num (g, "limit", s->pids_limit);
  yajl_gen_map_close (g);
  key (g, "blkio");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
}

char *
stats_json_event (const char *type, const char *id, const struct container_stats *stats, size_t *len,
                  tr_error_t *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    {
      tr_error (err, ENOMEM, "events");
      return NULL;
    }
  yajl_gen_map_open (g);
  key (g, "type");
  key (g, type);
  key (g, "id");
  key (g, id);
  if (stats)
    {
      key (g, "data");
      yajl_gen_map_open (g);
      gen_cpu (g, stats);
      gen_memory (g, stats);
      gen_pids_and_blkio (g, stats);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
  const unsigned char *buf;
  size_t n;
  char *out = NULL;
  if (yajl_gen_get_buf (g, &buf, &n) == yajl_gen_status_ok)
    out = strndup ((const char *) buf, n);
  yajl_gen_free (g);
  if (out == NULL)
    tr_error (err, ENOMEM, "events");
  else if (len)
    *len = n;
  return out;
}
