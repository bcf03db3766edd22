/* linux.resources.pids.limit → the text for pids.max (v1 and v2 alike). */
#ifndef TINYRUN_CGROUP_PIDS_LIMIT_H
#define TINYRUN_CGROUP_PIDS_LIMIT_H

#include <stdint.h>

/* Negative: "max".  0 is a real limit (runtime-spec 1.3, runc 1.5) and
 * is written as 1, as runc does; either way the container cannot fork.
 * Otherwise the number.  Returns buf. */
const char *cgroup_pids_max_text (int64_t limit, char buf[static 32]);

#endif
