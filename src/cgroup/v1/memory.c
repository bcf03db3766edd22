/* cgroup v1 memory controller. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v1/controllers.h"
#include "cgroup/v1/hierarchies.h"
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
  /* -1 is "unlimited" in the spec and in v1 files alike. */
  return cgroup_setf (fd, file, field, err, "%" PRId64, v < 0 ? -1 : v);
}

bool
v1_memsw_first (int64_t swap, uint64_t current_limit)
{
  /* memory.limit_in_bytes may never exceed memory.memsw.limit_in_bytes.
   * For a new pair limit <= swap: when swap is above the current limit,
   * memsw goes first (the new limit may be above the old memsw, and the
   * new memsw is above the old limit); otherwise new limit <= swap <=
   * current limit <= current memsw, and the limit goes first.  An
   * unlimited memsw (-1) always goes first.  runc's setMemoryAndSwap
   * decides the same way. */
  return swap < 0 || current_limit < (uint64_t) swap;
}

/* 0 means "not set" for both, as in runc (Docker sends zeros). */
static int
set_limit_and_swap (int fd, const struct spec_memory *m, tr_error_t *err)
{
  int64_t limit = m->limit.set ? m->limit.v : 0, swap = m->swap.set ? m->swap.v : 0;
  bool has_memsw = cgroup_has_file (fd, "memory.memsw.limit_in_bytes");
  /* An unlimited memory limit with no swap limit lifts both (runc). */
  if (limit < 0 && swap == 0 && has_memsw)
    swap = -1;
  if (swap != 0 && !has_memsw)
    {
      if (swap != limit)
        log_warning (FIELD ".swap: swap accounting is off on this host (no memory.memsw.*): ignored");
      swap = 0;
    }
  bool swap_first = false;
  if (limit != 0 && swap != 0)
    {
      cleanup_free char *cur = read_file_at (fd, "memory.limit_in_bytes", NULL, err);
      if (cur == NULL)
        return tr_error_wrap (err, FIELD ".limit");
      swap_first = v1_memsw_first (swap, strtoull (cur, NULL, 10));
    }
  if (swap_first && set_bytes (fd, "memory.memsw.limit_in_bytes", FIELD ".swap", swap, err) < 0)
    return -1;
  if (limit != 0 && set_bytes (fd, "memory.limit_in_bytes", FIELD ".limit", limit, err) < 0)
    return -1;
  if (!swap_first && swap != 0 && set_bytes (fd, "memory.memsw.limit_in_bytes", FIELD ".swap", swap, err) < 0)
    return -1;
  return 0;
}

int
v1_apply_memory (const char *path, const struct spec_memory *m, bool update, tr_error_t *err)
{
  (void) update;
  cleanup_close int fd = v1_open ("memory", path, FIELD, err);
  if (fd < 0)
    return -1;
  if (set_limit_and_swap (fd, m, err) < 0)
    return -1;
  if (m->reservation.set && m->reservation.v
      && set_bytes (fd, "memory.soft_limit_in_bytes", FIELD ".reservation", m->reservation.v, err) < 0)
    return -1;
  if (m->swappiness.set)
    {
      if (m->swappiness.v > 100)
        return tr_error_plain (err, EINVAL, FIELD ".swappiness: %" PRIu64 " is above 100", m->swappiness.v);
      if (cgroup_setf (fd, "memory.swappiness", FIELD ".swappiness", err, "%" PRIu64, m->swappiness.v) < 0)
        return -1;
    }
  if (m->disable_oom_killer.set
      && cgroup_set (fd, "memory.oom_control", FIELD ".disableOOMKiller", m->disable_oom_killer.v ? "1" : "0", err)
             < 0)
    return -1;
  /* Kernel memory limits are gone from Linux 5.16 on; the spec marks
   * them as optional, so a kernel without them only gets a warning. */
  const struct
  {
    const opt_i64 *v;
    const char *file, *field;
  } kmem[] = { { &m->kernel, "memory.kmem.limit_in_bytes", FIELD ".kernel" },
               { &m->kernel_tcp, "memory.kmem.tcp.limit_in_bytes", FIELD ".kernelTCP" } };
  for (size_t i = 0; i < 2; i++)
    {
      if (!kmem[i].v->set || kmem[i].v->v == 0)
        continue;
      tr_error_t kerr = NULL;
      if (cgroup_setf (fd, kmem[i].file, kmem[i].field, &kerr, "%" PRId64, kmem[i].v->v) < 0)
        {
          log_warning ("%s (ignored: this kernel does not limit kernel memory)", kerr->msg);
          tr_error_free (&kerr);
        }
    }
  return 0;
}
