/* cgroup v1 memory controller. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v1/controllers.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"
#include "util/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define FIELD "linux.resources.memory"

static void
limit_text (int64_t v, char buf[static 32])
{
  /* -1 is "unlimited" in the spec and in v1 files alike. */
  snprintf (buf, 32, "%" PRId64, v < 0 ? -1 : v);
}

/* memory.limit_in_bytes may never exceed memory.memsw.limit_in_bytes:
 * when both change, the order depends on the direction.  Try the limit
 * first and, if the kernel refuses, raise memsw first. */
static int
set_limit_and_swap (int fd, const struct spec_memory *m, tr_error_t *err)
{
  char limit[32], swap[32];
  bool has_memsw = cgroup_has_file (fd, "memory.memsw.limit_in_bytes");
  if (m->limit.set)
    limit_text (m->limit.v, limit);
  if (m->swap.set)
    limit_text (m->swap.v, swap);
  bool want_swap = m->swap.set && has_memsw;
  if (m->swap.set && !has_memsw && m->swap.v != m->limit.v)
    log_warning (FIELD ".swap: swap accounting is off on this host (no memory.memsw.*): ignored");

  if (m->limit.set && cgroup_set (fd, "memory.limit_in_bytes", FIELD ".limit", limit, NULL) == 0)
    return want_swap ? cgroup_set (fd, "memory.memsw.limit_in_bytes", FIELD ".swap", swap, err) : 0;
  if (want_swap && cgroup_set (fd, "memory.memsw.limit_in_bytes", FIELD ".swap", swap, err) < 0)
    return -1;
  if (m->limit.set)
    return cgroup_set (fd, "memory.limit_in_bytes", FIELD ".limit", limit, err);
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
  if (m->reservation.set
      && cgroup_setf (fd, "memory.soft_limit_in_bytes", FIELD ".reservation", err, "%" PRId64, m->reservation.v) < 0)
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
      if (!kmem[i].v->set)
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
