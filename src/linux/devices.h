/* Device nodes inside the container's /dev. */
#ifndef TINYRUN_DEVICES_H
#define TINYRUN_DEVICES_H

#include <stdbool.h>

#include "util/error.h"
#include "oci-spec/spec.h"

/* The devices every container gets (null, zero, full, random, urandom,
 * tty), then linux.devices, then the /dev symlinks (fd, stdin, stdout,
 * stderr, ptmx, core).  In a user namespace mknod is not allowed, so the
 * host's nodes are bind-mounted instead. */
int devices_create (const struct spec *spec, int rootfd, bool user_ns, bool default_devices, tr_error_t *err);

#endif
