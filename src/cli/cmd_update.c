/* tinyrun update [--resources FILE|-] [--memory N ...] <id>
 * The flags are runc's; a resources document (linux.resources) may come
 * from a file or stdin instead. */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "container/container.h"
#include "container/entry.h"
#include "util/fileutil.h"
#include "oci-spec/json_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "[--resources FILE|-] [--memory N] [--memory-reservation N] [--memory-swap N] [--kernel-memory N] " \
              "[--kernel-memory-tcp N] [--cpu-shares N] [--cpu-quota N] [--cpu-period N] [--cpu-burst N] "    \
              "[--cpu-idle 0|1] [--cpu-rt-period N] [--cpu-rt-runtime N] [--cpuset-cpus S] [--cpuset-mems S] " \
              "[--pids-limit N] [--blkio-weight N] <container-id>"

enum
{
  OPT_MEMORY = 500,
  OPT_MEMORY_RESERVATION,
  OPT_MEMORY_SWAP,
  OPT_KERNEL_MEMORY,
  OPT_KERNEL_MEMORY_TCP,
  OPT_CPU_SHARES,
  OPT_CPU_QUOTA,
  OPT_CPU_PERIOD,
  OPT_CPU_BURST,
  OPT_CPU_IDLE,
  OPT_CPU_RT_PERIOD,
  OPT_CPU_RT_RUNTIME,
  OPT_CPUSET_CPUS,
  OPT_CPUSET_MEMS,
  OPT_PIDS_LIMIT,
  OPT_BLKIO_WEIGHT,
};

static const struct option options[] = {
  { "resources", required_argument, NULL, 'r' },
  { "memory", required_argument, NULL, OPT_MEMORY },
  { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
  { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
  { "kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY },
  { "kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY_TCP },
  { "cpu-share", required_argument, NULL, OPT_CPU_SHARES },
  { "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
  { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
  { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
  { "cpu-burst", required_argument, NULL, OPT_CPU_BURST },
  { "cpu-idle", required_argument, NULL, OPT_CPU_IDLE },
  { "cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD },
  { "cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME },
  { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
  { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
  { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
  { "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
  { NULL, 0, NULL, 0 },
};

/* Store one flag into res (sub-objects allocated in the arena).  As in
 * `runc update`, a 0 for a cpu or memory flag is passed on as it is and
 * means "leave this value alone" below (the cgroup drivers treat 0 as not
 * set), except --pids-limit 0, a real limit. */
static int
apply_flag (struct arena *a, struct spec_resources *res, int opt, const char *arg, tr_error_t *err)
{
  char flag[64] = "";
  for (const struct option *o = options; o->name && !flag[0]; o++)
    if (o->val == opt)
      snprintf (flag, sizeof flag, "--%s", o->name);
  int64_t v = 0;
  if (opt != OPT_CPUSET_CPUS && opt != OPT_CPUSET_MEMS && cmd_parse_size (flag, arg, &v, err) < 0)
    return -1;
  bool mem = opt >= OPT_MEMORY && opt <= OPT_KERNEL_MEMORY_TCP;
  bool cpu = opt >= OPT_CPU_SHARES && opt <= OPT_CPUSET_MEMS;
  if (mem && res->memory == NULL)
    res->memory = arena_alloc (a, sizeof *res->memory);
  if (cpu && res->cpu == NULL)
    res->cpu = arena_alloc (a, sizeof *res->cpu);
  if ((mem && res->memory == NULL) || (cpu && res->cpu == NULL))
    return tr_error (err, ENOMEM, "update");
  switch (opt)
    {
    case OPT_MEMORY:
      res->memory->limit = (opt_i64){ true, v };
      break;
    case OPT_MEMORY_RESERVATION:
      res->memory->reservation = (opt_i64){ true, v };
      break;
    case OPT_MEMORY_SWAP:
      res->memory->swap = (opt_i64){ true, v };
      break;
    case OPT_KERNEL_MEMORY:
      res->memory->kernel = (opt_i64){ true, v };
      break;
    case OPT_KERNEL_MEMORY_TCP:
      res->memory->kernel_tcp = (opt_i64){ true, v };
      break;
    case OPT_CPU_SHARES:
      res->cpu->shares = (opt_u64){ true, (uint64_t) v };
      break;
    case OPT_CPU_QUOTA:
      res->cpu->quota = (opt_i64){ true, v };
      break;
    case OPT_CPU_PERIOD:
      res->cpu->period = (opt_u64){ true, (uint64_t) v };
      break;
    case OPT_CPU_BURST:
      res->cpu->burst = (opt_u64){ true, (uint64_t) v };
      break;
    case OPT_CPU_IDLE:
      /* cpu.idle: 0 is the default behaviour, 1 SCHED_IDLE; written even
       * when 0 (it undoes an earlier 1). */
      res->cpu->idle = (opt_i64){ true, v };
      break;
    case OPT_CPU_RT_PERIOD:
      res->cpu->realtime_period = (opt_u64){ true, (uint64_t) v };
      break;
    case OPT_CPU_RT_RUNTIME:
      res->cpu->realtime_runtime = (opt_i64){ true, v };
      break;
    case OPT_CPUSET_CPUS:
      res->cpu->cpus = arena_strdup (a, arg);
      break;
    case OPT_CPUSET_MEMS:
      res->cpu->mems = arena_strdup (a, arg);
      break;
    case OPT_PIDS_LIMIT:
      res->pids_limit = (opt_i64){ true, v };
      break;
    case OPT_BLKIO_WEIGHT:
      /* runc's update ignores --blkio-weight 0 altogether. */
      if (v == 0)
        break;
      res->block_io = arena_alloc (a, sizeof *res->block_io);
      if (res->block_io == NULL)
        return tr_error (err, ENOMEM, "update");
      res->block_io->weight = (opt_u64){ true, (uint64_t) v };
      break;
    }
  return 0;
}

static struct spec_resources *
read_resources (struct spec *holder, const char *file, tr_error_t *err)
{
  size_t len;
  /* "-" is stdin, which may well be a pipe; a named file must be a
   * regular one (a FIFO would hang the open, /dev/zero the read). */
  cleanup_free char *text = strcmp (file, "-") == 0
                                ? read_file_at (AT_FDCWD, "/dev/stdin", &len, err)
                                : read_regular_file_at (AT_FDCWD, file, "resources", JSON_MAX_SMALL, &len, err);
  if (text == NULL)
    return NULL;
  return spec_parse_resources_json (holder, text, len, err);
}

/* The command proper; holder's arena owns every parsed resource. */
static int
update (const struct globals *g, int argc, char **argv, struct spec *holder, tr_error_t *err)
{
  struct spec_resources *res = NULL, flags = { 0 };
  bool any_flag = false;
  const char *id = NULL, *file = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "r:", options, NULL)) != -1)
    {
      if (c == 'r')
        file = optarg;
      else if (c == '?' || c == ':')
        return cmd_usage_error (err, "update", USAGE);
      else if (apply_flag (&holder->arena, &flags, c, optarg, err) < 0)
        return 1;
      else
        any_flag = true;
    }
  if (cmd_take_id (argc, argv, "update", USAGE, &id, err) < 0)
    return 1;
  /* Before the resources are read: a musl build re-executed for systemd
   * would find stdin (--resources -) already consumed. */
  if (container_systemd_reachable_for (g->root, id, err) < 0)
    {
      tr_error_wrap (err, "update %s", id);
      return 1;
    }
  if (file && (res = read_resources (holder, file, err)) == NULL)
    return 1;
  if (res && any_flag)
    {
      tr_error_plain (err, EINVAL, "update %s: --resources and resource flags do not mix", id);
      return 1;
    }
  if (container_update (g->root, id, res ? res : &flags, err) < 0)
    {
      tr_error_wrap (err, "update %s", id);
      return 1;
    }
  return 0;
}

int
cmd_update (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  struct spec holder = { 0 }; /* only its arena is used */
  int status = update (g, argc, argv, &holder, err);
  arena_free (&holder.arena);
  return status;
}
