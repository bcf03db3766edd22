#include "config.h"
#include "process_attrs.h"
#include "fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>

int
process_apply_rlimits (const struct spec_process *p, tr_error_t *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct spec_rlimit *rl = &p->rlimits[i];
      struct rlimit lim = { .rlim_cur = rl->soft, .rlim_max = rl->hard };
      if (setrlimit (rl->resource, &lim) < 0)
        {
          struct rlimit cur;
          getrlimit (rl->resource, &cur);
          if (errno == EPERM && rl->hard > cur.rlim_max)
            return tr_error (err, errno,
                             "process.rlimits[%zu]: %s hard limit %llu is above the runtime's own %llu and raising it "
                             "needs CAP_SYS_RESOURCE",
                             i, rl->type, (unsigned long long) rl->hard, (unsigned long long) cur.rlim_max);
          return tr_error (err, errno, "process.rlimits[%zu]: setrlimit %s soft=%llu hard=%llu", i, rl->type,
                           (unsigned long long) rl->soft, (unsigned long long) rl->hard);
        }
    }
  return 0;
}

int
process_apply_oom_score (const struct spec_process *p, tr_error_t *err)
{
  if (!p->oom_score_adj.set)
    return 0;
  char buf[32];
  snprintf (buf, sizeof buf, "%lld", (long long) p->oom_score_adj.v);
  if (write_file_at (AT_FDCWD, "/proc/self/oom_score_adj", buf, err) < 0)
    return tr_error_wrap (err, "process.oomScoreAdj");
  return 0;
}

int
process_apply_scheduling (const struct spec_process *p, tr_error_t *err)
{
  (void) p;
  (void) err;
  return 0;
}

int
process_attrs_validate (const struct spec_process *p, const char *path, tr_error_t *err)
{
  if (p->scheduler)
    return tr_error_plain (err, ENOTSUP, "%s.scheduler: not supported yet", path);
  if (p->io_priority)
    return tr_error_plain (err, ENOTSUP, "%s.ioPriority: not supported yet", path);
  if (p->exec_cpu_affinity)
    return tr_error_plain (err, ENOTSUP, "%s.execCPUAffinity: not supported yet", path);
  return 0;
}
