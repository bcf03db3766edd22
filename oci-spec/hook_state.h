/* The runtime-spec state a hook reads on its stdin:
 *   {"ociVersion","id","status","pid","bundle","annotations"}
 * pid is absent once the container has stopped (poststop hooks). */
#ifndef TINYRUN_HOOK_STATE_H
#define TINYRUN_HOOK_STATE_H

#include <stddef.h>

#include "oci-spec/state_json.h"
#include "util/error.h"

/* Fills st's id (required), pid (0 when absent), bundle and annotations;
 * st must be zeroed, and cleared with container_state_clear() in every
 * case.  Errors name the document "container state". */
int hook_state_decode (const char *text, size_t len, struct container_state *st, tr_error_t *err);

#endif
