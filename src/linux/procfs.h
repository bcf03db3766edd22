/* Reading /proc/<pid>. */
#ifndef TINYRUN_PROCFS_H
#define TINYRUN_PROCFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Field 22 of /proc/<pid>/stat (starttime, in clock ticks since boot) and
 * field 3 (state: R, S, Z, ...). */
int proc_pid_stat (pid_t pid, unsigned long long *start_time, char *state, tr_error_t *err);

/* True when pid is alive (not a zombie) and still the process that was
 * started at start_time; a recycled pid is not. */
bool proc_pid_is (pid_t pid, unsigned long long start_time);

#endif
