/* OCI hooks: each hook is run with the container state JSON on its stdin,
 * its own args and env (without one: the runtime's environment), and an
 * optional timeout in seconds.
 *
 * Where they run (runtime-spec config.md "POSIX-platform Hooks"):
 *   prestart, createRuntime   runtime namespaces, after the container's
 *                             namespaces exist, before pivot_root (parent)
 *   createContainer           container namespaces, before pivot_root (init)
 *   startContainer            container namespaces, after `start`, before
 *                             the user process (init)
 *   poststart                 runtime namespaces, after the user process
 *                             started, before `start` returns
 *   poststop                  runtime namespaces, during `delete` */
#ifndef TINYRUN_HOOKS_H
#define TINYRUN_HOOKS_H

#include "util/error.h"
#include "oci-spec/spec.h"

/* Run hooks in order; the first failure stops and is returned, naming the
 * phase, the hook's path and its exit status. */
int hooks_run (const hooklist *hooks, const char *phase, const char *state_json, tr_error_t *err);

/* The same, but a failure is only logged as a warning (poststop). */
void hooks_run_warn (const hooklist *hooks, const char *phase, const char *state_json);

#endif
