/* linux.seccomp → a BPF filter (libseccomp).  The filter is compiled
 * early (seccomp_compile, before the container waits for `start`) and
 * loaded as late as possible (seccomp_install, right before execve). */
#ifndef TINYRUN_SECCOMP_H
#define TINYRUN_SECCOMP_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"
#include "oci-spec/spec.h"

struct seccomp_program;

/* Check the config (actions, architectures, operators, flags) without
 * building anything; errors name the JSON field. */
int seccomp_config_validate (const struct spec_seccomp *s, tr_error_t *err);

/* The names seccomp_config_validate() accepts (for `tinyrun features`):
 * out receives at most max of them, in table order; each returns how many
 * there are.  Architectures are the runtime spec's names that this
 * libseccomp resolves. */
size_t seccomp_action_names (const char **out, size_t max);
size_t seccomp_operator_names (const char **out, size_t max);
size_t seccomp_flag_names (const char **out, size_t max);
size_t seccomp_arch_names (const char **out, size_t max);

int seccomp_compile (const struct spec_seccomp *s, struct seccomp_program **out, tr_error_t *err);

/* Compile s now, through the cache in state_root/.seccomp:cache (see
 * seccomp_cache.c): seccomp_compile() of the same spec object, in this
 * process or a clone of it, then takes the result instead of compiling.
 * Nothing here fails a create: on any trouble seccomp_compile() does the
 * work (and reports the errors) as it would without. */
void seccomp_preload (const char *state_root, const struct spec_seccomp *s);

/* Does the filter hand syscalls to a user-space listener
 * (SCMP_ACT_NOTIFY)?  Such a filter is loaded at the end of `create`, so
 * that its notify fd can reach linux.seccomp.listenerPath. */
bool seccomp_program_notifies (const struct seccomp_program *prog);
bool seccomp_spec_uses_notify (const struct spec_seccomp *s);

/* Send the notify fd and the container process state to the listener
 * socket, as the runtime spec's "seccomp notify" section describes. */
int seccomp_send_to_listener (const struct spec_seccomp *s, int notify_fd, pid_t pid, const char *state_json,
                              tr_error_t *err);

/* Install the filter in the calling thread.  *notify_fd receives the
 * listener fd with SCMP_ACT_NOTIFY (else -1). */
int seccomp_install (struct seccomp_program *prog, int *notify_fd, tr_error_t *err);

#endif
