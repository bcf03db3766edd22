#include "config.h"
#include "linux/cpu_pin.h"
#include "util/log.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

/* One pin per process: the runtime holds it from the clone of its init to
 * the release, and the init inherits the record with its memory. */
static struct
{
  bool held;
  cpu_set_t before; /* what cpu_pin_drop and cpu_pin_child go back to */
} pin;

void
cpu_pin_hold (void)
{
  if (pin.held || sched_getaffinity (0, sizeof pin.before, &pin.before) < 0 || CPU_COUNT (&pin.before) < 2)
    return;
  int cpu = sched_getcpu ();
  if (cpu < 0 || cpu >= CPU_SETSIZE)
    return;
  cpu_set_t one;
  CPU_ZERO (&one);
  CPU_SET (cpu, &one);
  if (sched_setaffinity (0, sizeof one, &one) < 0)
    {
      log_debug ("pin the runtime to CPU %d: %s; left as it is", cpu, strerror (errno));
      return;
    }
  pin.held = true;
}

void
cpu_pin_drop (void)
{
  if (!pin.held)
    return;
  pin.held = false;
  if (sched_setaffinity (0, sizeof pin.before, &pin.before) < 0)
    log_warning ("give back the runtime's CPU affinity: %s", strerror (errno));
}

bool
cpu_pin_in_init (void)
{
  if (!pin.held)
    return false;
  CPU_ZERO (&pin.before);
  for (int c = 0; c < CPU_SETSIZE; c++)
    CPU_SET (c, &pin.before);
  return true;
}

bool
cpu_pin_release_in_init (void)
{
  bool held = pin.held;
  pin.held = false;
  return held;
}

void
cpu_pin_child (void)
{
  if (pin.held)
    (void) sched_setaffinity (0, sizeof pin.before, &pin.before);
}
