/* Container statistics for `events`: the numbers of struct
 * container_stats (oci-spec/stats.h) read from the cgroup's files, and the
 * OOM-kill counters that `events` watches. */
#include "config.h"
#include "cgroup/root_fd.h"
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

static int
read_raw (struct container_stats *out, int dirfd, const char *file, tr_error_t *err)
{
  cleanup_free char *buf = read_file_at (dirfd, file, NULL, NULL);
  char *save = NULL;
  for (char *line = buf ? strtok_r (buf, "\n", &save) : NULL; line; line = strtok_r (NULL, "\n", &save))
    {
      char *sp = strchr (line, ' ');
      if (sp == NULL)
        continue;
      *sp = '\0';
      if (container_stats_add_raw (out, line, strtoull (sp + 1, NULL, 10)) < 0)
        return tr_error (err, ENOMEM, "%s", file);
    }
  return 0;
}

static int
open_dir (const char *mnt, const char *path, tr_error_t *err)
{
  char dir[4096];
  snprintf (dir, sizeof dir, "%s%s", mnt, path);
  int fd = cgroupfs_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open cgroup %s", dir);
  return fd;
}

int
cgroup_v2_stats (const char *mnt, const char *path, struct container_stats *out, tr_error_t *err)
{
  cleanup_close int fd = open_dir (mnt, path, err);
  if (fd < 0)
    return -1;
  out->cpu_usage.total = read_keyed (fd, "cpu.stat", "usage_usec") * 1000;
  out->cpu_usage.kernel = read_keyed (fd, "cpu.stat", "system_usec") * 1000;
  out->cpu_usage.user = read_keyed (fd, "cpu.stat", "user_usec") * 1000;
  out->throttling.periods = read_keyed (fd, "cpu.stat", "nr_periods");
  out->throttling.throttled_periods = read_keyed (fd, "cpu.stat", "nr_throttled");
  out->throttling.throttled_time = read_keyed (fd, "cpu.stat", "throttled_usec") * 1000;
  out->has_memory = true;
  out->memory = (struct stats_usage){ read_u64 (fd, "memory.current"), read_u64 (fd, "memory.peak"),
                                      read_u64 (fd, "memory.max"), read_keyed (fd, "memory.events", "max") };
  out->swap = (struct stats_usage){ read_u64 (fd, "memory.swap.current"), 0, read_u64 (fd, "memory.swap.max"), 0 };
  if (read_raw (out, fd, "memory.stat", err) < 0)
    return -1;
  out->pids_current = read_u64 (fd, "pids.current");
  out->pids_limit = read_u64 (fd, "pids.max");
  return 0;
}

/* v1: the same numbers from each controller's own directory. */
static int
v1_dir (const char *ctrl, const char *path)
{
  return v1_open (ctrl, path, "stats", NULL);
}

static int
v1_memory (struct container_stats *out, int mem, tr_error_t *err)
{
  out->has_memory = true;
  out->memory = (struct stats_usage){ read_u64 (mem, "memory.usage_in_bytes"),
                                      read_u64 (mem, "memory.max_usage_in_bytes"),
                                      read_u64 (mem, "memory.limit_in_bytes"), read_u64 (mem, "memory.failcnt") };
  out->swap = (struct stats_usage){ read_u64 (mem, "memory.memsw.usage_in_bytes"),
                                    read_u64 (mem, "memory.memsw.max_usage_in_bytes"),
                                    read_u64 (mem, "memory.memsw.limit_in_bytes"),
                                    read_u64 (mem, "memory.memsw.failcnt") };
  return read_raw (out, mem, "memory.stat", err);
}

/* A controller that is not mounted contributes zeros. */
int
cgroup_v1_stats (const char *path, struct container_stats *out, tr_error_t *err)
{
  cleanup_close int cpuacct = v1_dir ("cpuacct", path);
  cleanup_close int cpu = v1_dir ("cpu", path);
  cleanup_close int mem = v1_dir ("memory", path);
  cleanup_close int pids = v1_dir ("pids", path);
  if (cpuacct >= 0)
    {
      out->cpu_usage.total = read_u64 (cpuacct, "cpuacct.usage");
      out->cpu_usage.kernel = read_u64 (cpuacct, "cpuacct.usage_sys");
      out->cpu_usage.user = read_u64 (cpuacct, "cpuacct.usage_user");
    }
  if (cpu >= 0)
    {
      out->throttling.periods = read_keyed (cpu, "cpu.stat", "nr_periods");
      out->throttling.throttled_periods = read_keyed (cpu, "cpu.stat", "nr_throttled");
      out->throttling.throttled_time = read_keyed (cpu, "cpu.stat", "throttled_time");
    }
  if (mem >= 0 && v1_memory (out, mem, err) < 0)
    return -1;
  if (pids >= 0)
    {
      out->pids_current = read_u64 (pids, "pids.current");
      out->pids_limit = read_u64 (pids, "pids.max");
    }
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
