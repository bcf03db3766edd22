/* Checks on a parsed spec that need runtime knowledge (what this host and
 * this build support), run before anything is created. */
#ifndef TINYRUN_CONTAINER_VALIDATE_H
#define TINYRUN_CONTAINER_VALIDATE_H

#include "container/container.h"
#include "util/error.h"
#include "oci-spec/spec.h"

/* process.user: no id may be (uid_t) -1. */
int process_user_validate (const struct spec_user *u, tr_error_t *err);

int container_validate (const struct spec *spec, const struct create_options *o, tr_error_t *err);

#endif
