/* linux.seccomp → a BPF filter (libseccomp).  The filter is compiled
 * early (seccomp_prepare, before the container waits for `start`) and
 * loaded as late as possible (seccomp_load, right before execve). */
#ifndef TINYRUN_SECCOMP_H
#define TINYRUN_SECCOMP_H

#include "error.h"
#include "../oci-spec/spec.h"

struct seccomp_program;

/* Check the config (actions, architectures, operators, flags) without
 * building anything; errors name the JSON field. */
int seccomp_validate (const struct spec_seccomp *s, tr_error_t *err);

int seccomp_prepare (const struct spec_seccomp *s, struct seccomp_program **out, tr_error_t *err);

/* Install the filter in the calling thread.  *notify_fd receives the
 * listener fd with SCMP_ACT_NOTIFY (else -1). */
int seccomp_load (struct seccomp_program *prog, int *notify_fd, tr_error_t *err);

#endif
