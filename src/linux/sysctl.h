/* linux.sysctl: kernel parameters written inside the container. */
#ifndef TINYRUN_SYSCTL_H
#define TINYRUN_SYSCTL_H

#include "util/error.h"
#include "oci-spec/spec.h"

/* Only namespaced parameters are accepted, and only when the container
 * has that namespace of its own (net.* needs a network namespace, and so
 * on): a sysctl must never change the host. */
int sysctl_validate (const struct spec *spec, tr_error_t *err);

/* Write each value to sys/... of a procfs handle of tinyrun's own
 * (linux/procfs.h), never through the container's /proc path. */
int sysctl_apply (const struct spec *spec, tr_error_t *err);

#endif
