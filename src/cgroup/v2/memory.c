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
v2_apply_memory (int fd, const struct spec_memory *m, bool update, tr_error_t *err)
{
  if (update && m->check_before_update.v && m->limit.set && check_usage (fd, m->limit.v, err) < 0)
    return -1;
  if (m->limit.set && set_bytes (fd, "memory.max", FIELD ".limit", m->limit.v, err) < 0)
    return -1;
  if (m->reservation.set && set_bytes (fd, "memory.low", FIELD ".reservation", m->reservation.v, err) < 0)
    return -1;
  if (m->swap.set)
    {
      /* The spec's swap is memory+swap (the v1 meaning); v2's
       * memory.swap.max counts swap alone. */
      if (m->swap.v < 0)
        {
          if (set_bytes (fd, "memory.swap.max", FIELD ".swap", -1, err) < 0)
            return -1;
        }
      else if (!m->limit.set || m->limit.v < 0)
        return tr_error_plain (err, EINVAL, FIELD ".swap: a swap limit needs a memory limit on cgroup v2");
      else if (m->swap.v < m->limit.v)
        return tr_error_plain (err, EINVAL, FIELD ".swap: %" PRId64 " is below the memory limit %" PRId64
                               " (swap counts memory+swap)", m->swap.v, m->limit.v);
      else if (cgroup_has_file (fd, "memory.swap.max")
               && set_bytes (fd, "memory.swap.max", FIELD ".swap", m->swap.v - m->limit.v, err) < 0)
        return -1;
    }
  if (m->disable_oom_killer.set && m->disable_oom_killer.v)
    log_warning (FIELD ".disableOOMKiller: cgroup v2 cannot disable the OOM killer: ignored");
  if (m->swappiness.set)
    log_warning (FIELD ".swappiness: cgroup v2 has no per-cgroup swappiness: ignored");
  if (m->kernel.set || m->kernel_tcp.set)
    log_warning (FIELD ".kernel: cgroup v2 has no separate kernel memory limit: ignored");
  return 0;
}
