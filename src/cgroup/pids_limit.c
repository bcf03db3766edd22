#include "config.h"
#include "cgroup/pids_limit.h"

#include <inttypes.h>
#include <stdio.h>

const char *
cgroup_pids_max_text (int64_t limit, char buf[static 32])
{
  /* runc writes 1 for 0 because systemd's TasksMax cannot be 0; doing the
   * same keeps pids.max identical under either runtime.  With the init
   * already in the cgroup, a limit of 1 refuses every fork, like 0. */
  if (limit < 0)
    snprintf (buf, 32, "max");
  else
    snprintf (buf, 32, "%" PRId64, limit == 0 ? 1 : limit);
  return buf;
}
