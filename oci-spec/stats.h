/* A container's statistics, as `events` reports them: data for all
 * layers.  cgroup/stats.c fills it from the cgroup files; stats_json.c
 * writes it in runc's JSON layout.  No yajl here. */
#ifndef TINYRUN_STATS_H
#define TINYRUN_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One counter with its peak, its limit and how often the limit was hit. */
struct stats_usage
{
  uint64_t usage;
  uint64_t max_usage;
  uint64_t limit;
  uint64_t failcnt;
};

/* One "key value" line of memory.stat. */
struct stats_raw
{
  char *key;
  uint64_t value;
};

struct container_stats
{
  struct
  {
    uint64_t total; /* nanoseconds */
    uint64_t kernel;
    uint64_t user;
  } cpu_usage;
  struct
  {
    uint64_t periods;
    uint64_t throttled_periods;
    uint64_t throttled_time; /* nanoseconds */
  } throttling;
  bool has_memory; /* false: "memory" is an empty object */
  struct stats_usage memory;
  struct stats_usage swap;
  struct stats_raw *raw; /* memory.stat, in the file's order */
  size_t n_raw;
  uint64_t pids_current;
  uint64_t pids_limit;
};

/* Append one memory.stat entry (the key is copied); -1 when out of memory. */
int container_stats_add_raw (struct container_stats *s, const char *key, uint64_t value);

/* Free what the struct owns and zero it. */
void container_stats_clear (struct container_stats *s);

static inline void
container_stats_clearp (struct container_stats *s)
{
  container_stats_clear (s);
}

#define cleanup_stats __attribute__ ((cleanup (container_stats_clearp)))

#endif
