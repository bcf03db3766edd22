/* Whether tinyrun runs rootless, decided as runc decides it
 * (shouldUseRootlessCgroupManager, shouldHonorXDGRuntimeDir): an
 * effective uid other than 0, or uid 0 inside a user namespace that is not
 * the host's -- rootless podman runs its runtime so, as the root of a user
 * namespace mapping an ordinary user and the user's subordinate ids.  That
 * "root" can own no cgroup nor device of the host that it was not given.
 * The global `--rootless true|false|auto` overrides the guess. */
#ifndef TINYRUN_ROOTLESS_H
#define TINYRUN_ROOTLESS_H

#include <stdbool.h>

#include "util/error.h"

/* --rootless's value: "true", "false" or "auto" (the default). */
int rootless_set (const char *value, tr_error_t *err);

/* The caller's user namespace is not the initial one (its uid_map is not
 * the identity over the whole range). */
bool rootless_in_user_ns (void);

/* euid != 0, or euid 0 in a user namespace; or --rootless's answer. */
bool rootless (void);

#endif
