/* The init joins its v1 cgroups itself (see cgroup_join.h). */
#include "config.h"
#include "linux/cgroup_join.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int
cgroup_join_self (const struct cgroup_join *j, tr_error_t *err)
{
  for (size_t i = 0; i < j->n; i++)
    if (write (j->fds[i], "0", 1) != 1)
      return tr_error (err, errno, "join cgroup %s", j->dirs[i]);
  return 0;
}

void
cgroup_join_clear (struct cgroup_join *j)
{
  for (size_t i = 0; i < j->n; i++)
    {
      if (j->fds[i] >= 0)
        close (j->fds[i]);
      free (j->dirs[i]);
    }
  j->n = 0;
}
