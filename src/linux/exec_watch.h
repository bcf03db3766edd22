/* Telling "the process called execve" from "the process died before it":
 * both close an O_CLOEXEC fd, only ptrace's exec event tells them apart. */
#ifndef TINYRUN_EXEC_WATCH_H
#define TINYRUN_EXEC_WATCH_H

#include <sys/types.h>

#include "util/error.h"

/* Attach to pid (PTRACE_SEIZE, it does not stop) to see its next execve.
 * Fails where ptrace is not allowed; the caller then does without. */
int exec_watch_begin (pid_t pid, tr_error_t *err);

/* Wait until the watched process has called execve (returns 1, detached
 * again) or has exited (returns 0; *how says how, e.g. "killed by signal
 * 11").  Signals meant for the process are passed on. */
int exec_watch_wait (pid_t pid, char *how, size_t how_size, tr_error_t *err);

#endif
