/* Container statistics for `events`, in runc's JSON layout:
 *   {"cpu":{"usage":{"total","percpu","kernel","user"},"throttling":{...}},
 *    "memory":{"usage":{...},"swap":{...},"raw":{...}},"pids":{...},...}
 * and the OOM-kill counters that `events` watches. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
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

/* A file holding one number ("max" reads as UINT64_MAX, like runc). */
static uint64_t
read_u64 (int dirfd, const char *file)
{
  cleanup_free char *buf = read_file_at (dirfd, file, NULL, NULL);
  if (buf == NULL)
    return 0;
  if (strncmp (buf, "max", 3) == 0)
    return UINT64_MAX;
  return strtoull (buf, NULL, 10);
}

/* "key value" lines (cpu.stat, memory.stat, memory.events). */
static uint64_t
read_keyed (int dirfd, const char *file, const char *k)
{
  cleanup_free char *buf = read_file_at (dirfd, file, NULL, NULL);
  size_t len = strlen (k);
  for (char *line = buf; line && *line;)
    {
      if (strncmp (line, k, len) == 0 && line[len] == ' ')
        return strtoull (line + len + 1, NULL, 10);
      line = strchr (line, '\n');
      if (line)
        line++;
    }
  return 0;
}

static void
raw_map (yajl_gen g, int dirfd, const char *file)
{
  cleanup_free char *buf = read_file_at (dirfd, file, NULL, NULL);
  key (g, "raw");
  yajl_gen_map_open (g);
  char *save = NULL;
  for (char *line = buf ? strtok_r (buf, "\n", &save) : NULL; line; line = strtok_r (NULL, "\n", &save))
    {
      char *sp = strchr (line, ' ');
      if (sp == NULL)
        continue;
      *sp = '\0';
      num (g, line, strtoull (sp + 1, NULL, 10));
    }
  yajl_gen_map_close (g);
}

static void
usage_map (yajl_gen g, const char *k, uint64_t usage, uint64_t max, uint64_t limit, uint64_t failcnt)
{
  key (g, k);
  yajl_gen_map_open (g);
  num (g, "usage", usage);
  num (g, "max_usage", max);
  num (g, "limit", limit);
  num (g, "failcnt", failcnt);
  yajl_gen_map_close (g);
}

/* The end of both layouts' documents: pids, and an (empty) blkio. */
static void
pids_and_blkio (yajl_gen g, uint64_t current, uint64_t limit)
{
  key (g, "pids");
  yajl_gen_map_open (g);
  num (g, "current", current);
  num (g, "limit", limit);
  yajl_gen_map_close (g);
  key (g, "blkio");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
}

static int
open_dir (const char *mnt, const char *path, tr_error_t *err)
{
  char dir[4096];
  snprintf (dir, sizeof dir, "%s%s", mnt, path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open cgroup %s", dir);
  return fd;
}

int
cgroup_v2_stats_json (const char *mnt, const char *path, void *gen, tr_error_t *err)
{
  yajl_gen g = gen;
  cleanup_close int fd = open_dir (mnt, path, err);
  if (fd < 0)
    return -1;
  yajl_gen_map_open (g);
  key (g, "cpu");
  yajl_gen_map_open (g);
  key (g, "usage");
  yajl_gen_map_open (g);
  num (g, "total", read_keyed (fd, "cpu.stat", "usage_usec") * 1000);
  num (g, "kernel", read_keyed (fd, "cpu.stat", "system_usec") * 1000);
  num (g, "user", read_keyed (fd, "cpu.stat", "user_usec") * 1000);
  yajl_gen_map_close (g);
  key (g, "throttling");
  yajl_gen_map_open (g);
  num (g, "periods", read_keyed (fd, "cpu.stat", "nr_periods"));
  num (g, "throttled_periods", read_keyed (fd, "cpu.stat", "nr_throttled"));
  num (g, "throttled_time", read_keyed (fd, "cpu.stat", "throttled_usec") * 1000);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);

  key (g, "memory");
  yajl_gen_map_open (g);
  usage_map (g, "usage", read_u64 (fd, "memory.current"), read_u64 (fd, "memory.peak"), read_u64 (fd, "memory.max"),
             read_keyed (fd, "memory.events", "max"));
  usage_map (g, "swap", read_u64 (fd, "memory.swap.current"), 0, read_u64 (fd, "memory.swap.max"), 0);
  raw_map (g, fd, "memory.stat");
  yajl_gen_map_close (g);

  pids_and_blkio (g, read_u64 (fd, "pids.current"), read_u64 (fd, "pids.max"));
  yajl_gen_map_close (g);
  return 0;
}

/* v1: the same numbers from each controller's own directory. */
static int
v1_dir (const char *ctrl, const char *path)
{
  return v1_open (ctrl, path, "stats", NULL);
}

int
cgroup_v1_stats_json (const char *path, void *gen, tr_error_t *err)
{
  yajl_gen g = gen;
  (void) err;
  cleanup_close int cpuacct = v1_dir ("cpuacct", path);
  cleanup_close int cpu = v1_dir ("cpu", path);
  cleanup_close int mem = v1_dir ("memory", path);
  cleanup_close int pids = v1_dir ("pids", path);
  yajl_gen_map_open (g);
  key (g, "cpu");
  yajl_gen_map_open (g);
  key (g, "usage");
  yajl_gen_map_open (g);
  num (g, "total", cpuacct >= 0 ? read_u64 (cpuacct, "cpuacct.usage") : 0);
  num (g, "kernel", cpuacct >= 0 ? read_u64 (cpuacct, "cpuacct.usage_sys") : 0);
  num (g, "user", cpuacct >= 0 ? read_u64 (cpuacct, "cpuacct.usage_user") : 0);
  yajl_gen_map_close (g);
  key (g, "throttling");
  yajl_gen_map_open (g);
  num (g, "periods", cpu >= 0 ? read_keyed (cpu, "cpu.stat", "nr_periods") : 0);
  num (g, "throttled_periods", cpu >= 0 ? read_keyed (cpu, "cpu.stat", "nr_throttled") : 0);
  num (g, "throttled_time", cpu >= 0 ? read_keyed (cpu, "cpu.stat", "throttled_time") : 0);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);

  key (g, "memory");
  yajl_gen_map_open (g);
  if (mem >= 0)
    {
      usage_map (g, "usage", read_u64 (mem, "memory.usage_in_bytes"), read_u64 (mem, "memory.max_usage_in_bytes"),
                 read_u64 (mem, "memory.limit_in_bytes"), read_u64 (mem, "memory.failcnt"));
      usage_map (g, "swap", read_u64 (mem, "memory.memsw.usage_in_bytes"),
                 read_u64 (mem, "memory.memsw.max_usage_in_bytes"), read_u64 (mem, "memory.memsw.limit_in_bytes"),
                 read_u64 (mem, "memory.memsw.failcnt"));
      raw_map (g, mem, "memory.stat");
    }
  yajl_gen_map_close (g);

  pids_and_blkio (g, pids >= 0 ? read_u64 (pids, "pids.current") : 0, pids >= 0 ? read_u64 (pids, "pids.max") : 0);
  yajl_gen_map_close (g);
  return 0;
}

int
cgroup_v2_oom_kills (const char *mnt, const char *path, uint64_t *count, tr_error_t *err)
{
  cleanup_close int fd = open_dir (mnt, path, err);
  if (fd < 0)
    return -1;
  *count = read_keyed (fd, "memory.events", "oom_kill");
  return 0;
}

int
cgroup_v1_oom_kills (const char *path, uint64_t *count, tr_error_t *err)
{
  cleanup_close int fd = v1_open ("memory", path, "events", err);
  if (fd < 0)
    return -1;
  *count = read_keyed (fd, "memory.oom_control", "oom_kill");
  return 0;
}
