#include "config.h"
#include "net/detached.h"
#include "util/syscalls.h"

#include <unistd.h>

pid_t
fork_detached (int keep)
{
  pid_t child = fork ();
  if (child != 0)
    return child;
  /* First let go of the hook's pipes: the runtime waits for their end. */
  if (keep < 0)
    sys_close_range (0, ~0U, 0);
  else
    {
      if (keep > 0)
        sys_close_range (0, (unsigned) keep - 1, 0);
      sys_close_range ((unsigned) keep + 1, ~0U, 0);
    }
  setsid ();
  return 0;
}
