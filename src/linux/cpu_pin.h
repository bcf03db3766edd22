/* The runtime and its init on one CPU while they hand `create` back and
 * forth.
 *
 * From the clone to the release the two processes take turns: the init
 * mounts while the runtime waits on the sync channel, the runtime records
 * while the init waits, a dozen times.  Each turn is a wake-up; when the
 * scheduler put the init on the other CPU, that CPU has gone idle by then
 * and waking it costs far more than a switch on the CPU the waker runs on
 * (tens of µs on bare metal out of a deep C-state, 1–1.5 ms on the test VM,
 * whose idle vCPUs halt at once).  So the runtime pins itself to the CPU
 * it is on right before the clone; the init is born with that affinity and
 * keeps it until `start` releases it, then takes every CPU (narrowed by its
 * cpuset) as it did before, before its process is exec'd.
 *
 * Nothing else may inherit the pin: a hook forked while it is held gets
 * the affinity it would have had without it (cpu_pin_child), threads are
 * started before it (the network namespace made ahead) and the runtime
 * drops it once the init is released. */
#ifndef TINYRUN_CPU_PIN_H
#define TINYRUN_CPU_PIN_H

#include <stdbool.h>

/* Pin the calling thread to the CPU it runs on.  Nothing happens when the
 * caller may use one CPU only, or the pin is already held; a failure
 * leaves the affinity as it was (this is only about speed). */
void cpu_pin_hold (void);

/* Back to the affinity before cpu_pin_hold (no-op when not held). */
void cpu_pin_drop (void);

/* In the init, a copy of the runtime made while the pin was held: from
 * now on a hook it forks gets every CPU (what the container's processes
 * get, as runc resets the init's affinity), not the runtime's.  True when
 * the init was born pinned and must reset its affinity once released;
 * false when it resets it now, as without the pin. */
bool cpu_pin_in_init (void);

/* The init, released (or handed over to a `start` that runs elsewhere):
 * true when it was still pinned, and the pin is no longer its to hand
 * down; the caller then resets its affinity. */
bool cpu_pin_release_in_init (void);

/* In a child forked while the pin is held, before it execs (hooks): the
 * affinity it would have had without the pin. */
void cpu_pin_child (void);

#endif
