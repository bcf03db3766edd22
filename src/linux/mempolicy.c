#include "config.h"
#include "linux/mempolicy.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int
mempolicy_apply (const struct spec_memory_policy *mp, tr_error_t *err)
{
  if (mp == NULL)
    return 0;
  /* The mode and flags are the kernel's values (oci-spec/spec.h); the
   * kernel reads maxnode - 1 bits of the mask, so one more than its size. */
  const unsigned long *mask = mp->any_node ? mp->nodes : NULL;
  unsigned long maxnode = mp->any_node ? SPEC_MPOL_MAX_NODES + 1 : 0;
  if (syscall (SYS_set_mempolicy, (int) ((unsigned) mp->mode | mp->flags), mask, maxnode) < 0)
    return tr_error (err, errno, "linux.memoryPolicy: set_mempolicy %s", spec_mpol_mode_name (mp->mode));
  return 0;
}
