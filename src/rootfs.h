/* The container's root: propagation, making it a mount point, switching
 * to it (pivot_root, or chroot with --no-pivot) and making it read-only. */
#ifndef TINYRUN_ROOTFS_H
#define TINYRUN_ROOTFS_H

#include <stdbool.h>

#include "error.h"
#include "../oci-spec/spec.h"

/* Stop mount events from leaving the container (rslave by default, or
 * linux.rootfsPropagation), then bind the rootfs onto itself so that it
 * is a mount point.  Returns an O_PATH fd on the new mount's root. */
int rootfs_prepare (const struct spec *spec, const char *rootfs, tr_error_t *err);

/* Make the rootfs "/" and drop the host's tree. */
int rootfs_pivot (const char *rootfs, int rootfd, bool no_pivot, tr_error_t *err);

/* After the switch: root.readonly and rootfsPropagation on "/". */
int rootfs_finish (const struct spec *spec, tr_error_t *err);

#endif
