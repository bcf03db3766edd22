/* The config.json that `tinyrun spec` writes: runc's defaults. */
#ifndef TINYRUN_SPEC_DEFAULT_H
#define TINYRUN_SPEC_DEFAULT_H

#include <stdbool.h>

/* rootless: add a user namespace mapping the caller's ids to root and drop
 * what an unprivileged user cannot do (as `runc spec --rootless`). */
const char *spec_default_json (bool rootless);

#endif
