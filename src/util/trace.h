/* A timeline of a command's phases, for finding where the time goes.
 *
 * With TINYRUN_TRACE=1 in the environment (read once, at program start)
 * or --debug, trace_mark ("create: cgroup") logs a debug line
 *   trace: create: cgroup 1234 us
 * whose number is CLOCK_MONOTONIC microseconds since the program started;
 * a mark ends the phase it names.  The container's init is a clone of the
 * runtime and shares its origin; its lines reach the runtime's log through
 * the sync channel (init/sync_log.h).  Disabled, a mark reads two bools.
 * bench/profile turns the lines into per-phase medians. */
#ifndef TINYRUN_TRACE_H
#define TINYRUN_TRACE_H

#include <stdbool.h>

bool trace_enabled (void);
void trace_mark (const char *phase);

#endif
