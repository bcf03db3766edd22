/* The message a seccomp user-notification listener receives (runtime-spec
 * config-linux.md, "Container Process State"). */
#ifndef TINYRUN_SECCOMP_STATE_JSON_H
#define TINYRUN_SECCOMP_STATE_JSON_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* {"ociVersion","fds":["seccompFd"],"pid","metadata","state"}, where
 * state_json (the container state, already JSON) becomes "state" as is.
 * metadata may be NULL.  Caller frees. */
char *seccomp_state_json (pid_t pid, const char *metadata, const char *state_json, size_t *len, tr_error_t *err);

#endif
