/* cgroup v2 memory controller. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v2/controllers.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define FIELD "linux.resources.memory"

static int
set_bytes (int fd, const char *file, const char *field, int64_t v, tr_error_t *err)
{
  if (v < 0)
    return cgroup_set (fd, file, field, "max", err);
  return cgroup_setf (fd, file, field, err, "%" PRId64, v);
}

/* checkBeforeUpdate: refuse a limit below what the container already
 * uses, instead of letting the kernel reclaim or OOM-kill to get there. */
static int
check_usage (int fd, int64_t limit, tr_error_t *err)
{
  cleanup_free char *cur = read_file_at (fd, "memory.current", NULL, err);
  if (cur == NULL)
    return tr_error_wrap (err, FIELD ".checkBeforeUpdate");
  long long usage = strtoll (cur, NULL, 10);
  if (limit >= 0 && usage > limit)
    return tr_error_plain (err, EBUSY, FIELD ".limit: %" PRId64 " is below the current usage (%lld, memory.current)",
                           limit, usage);
  return 0;
}

int
v2_swap_max (int64_t limit, int64_t swap, int64_t *out, tr_error_t *err)
{
  /* v2's memory.swap.max counts swap alone. */
  if (swap == 0)
    {
      /* Unlimited memory and no word on swap: swap unlimited too, as on
       * v1 (runc). */
      *out = -1;
      return limit < 0 ? 1 : 0;
    }
  *out = swap < 0 ? -1 : swap;
  if (swap < 0 || limit < 0)
    return 1;
  if (limit == 0)
    return tr_error_plain (err, EINVAL, FIELD ".swap: a swap limit needs a memory limit on cgroup v2");
  if (swap < limit)
    return tr_error_plain (err, EINVAL, FIELD ".swap: %" PRId64 " is below the memory limit %" PRId64
                           " (swap counts memory+swap)", swap, limit);
  *out = swap - limit;
  return 1;
}

int
v2_apply_memory (int fd, const struct spec_memory *m, bool update, tr_error_t *err)
{
  /* 0 means "not set" for the limit, the reservation and swap (runc). */
  int64_t limit = m->limit.set ? m->limit.v : 0, swap = m->swap.set ? m->swap.v : 0, swap_max;
  int has_swap = v2_swap_max (limit, swap, &swap_max, err);
  if (has_swap < 0)
    return -1;
  if (update && m->check_before_update.v && limit != 0 && check_usage (fd, limit, err) < 0)
    return -1;
  /* memory.max and memory.swap.max are independent on v2: any order. */
  if (limit != 0 && set_bytes (fd, "memory.max", FIELD ".limit", limit, err) < 0)
    return -1;
  if (m->reservation.set && m->reservation.v
      && set_bytes (fd, "memory.low", FIELD ".reservation", m->reservation.v, err) < 0)
    return -1;
  /* Without swap accounting there is no file: nothing to limit. */
  if (has_swap && cgroup_has_file (fd, "memory.swap.max")
      && set_bytes (fd, "memory.swap.max", FIELD ".swap", swap_max, err) < 0)
    return -1;
  if (m->disable_oom_killer.set && m->disable_oom_killer.v)
    log_warning (FIELD ".disableOOMKiller: cgroup v2 cannot disable the OOM killer: ignored");
  if (m->swappiness.set)
    log_warning (FIELD ".swappiness: cgroup v2 has no per-cgroup swappiness: ignored");
  if ((m->kernel.set && m->kernel.v) || (m->kernel_tcp.set && m->kernel_tcp.v))
    log_warning (FIELD ".kernel: cgroup v2 has no separate kernel memory limit: ignored");
  return 0;
}
