#include "config.h"
#include "linux/self_protect.h"

#include <errno.h>
#include <sys/prctl.h>

int
self_protect_before_entering (tr_error_t *err)
{
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return tr_error (err, errno, "prctl PR_SET_DUMPABLE");
  return 0;
}
