/* linux.memoryPolicy (runtime-spec 1.3): the NUMA memory policy of the
 * container's process, set_mempolicy(2).  A policy survives fork and
 * execve, so the init sets it on itself. */
#ifndef TINYRUN_MEMPOLICY_H
#define TINYRUN_MEMPOLICY_H

#include "oci-spec/spec.h"
#include "util/error.h"

/* Set mp on the calling thread; nothing when mp is NULL. */
int mempolicy_apply (const struct spec_memory_policy *mp, tr_error_t *err);

#endif
