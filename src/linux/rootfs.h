/* The container's root: propagation, making it a mount point, switching
 * to it (pivot_root, or chroot with --no-pivot) and making it read-only. */
#ifndef TINYRUN_ROOTFS_H
#define TINYRUN_ROOTFS_H

#include <stdbool.h>

#include "util/error.h"
#include "oci-spec/spec.h"

/* How the container's process gets its root. */
enum rootfs_switch
{
  ROOTFS_PIVOT,   /* pivot_root(2): the host's tree is gone for good */
  ROOTFS_MOVE,    /* --no-pivot: move the rootfs onto / and chroot */
  ROOTFS_CHROOT,  /* no mount namespace of its own: chroot only, as runc does */
};

/* Stop mount events from leaving the container (rslave by default, or
 * linux.rootfsPropagation), make the mount the rootfs is on private where
 * runc's rootfsParentMountPrivate would (a shared rootfsPropagation, or a
 * non-recursive one and a mount the host shares), then bind the rootfs
 * onto itself so that it is a mount point.  Returns an O_PATH fd on the new mount's root.
 * With ROOTFS_CHROOT the host's mount namespace is left alone (only a
 * read-only root gets its bind mount). */
int rootfs_prepare (const struct spec *spec, const char *rootfs, enum rootfs_switch how, tr_error_t *err);

/* Make the rootfs "/" and drop the host's tree. */
int rootfs_pivot (const char *rootfs, int rootfd, enum rootfs_switch how, tr_error_t *err);

/* After the switch: /dev read-only if its entry says "ro" (it was
 * mounted writable for the devices), root.readonly, and
 * rootfsPropagation on "/". */
int rootfs_finish (const struct spec *spec, enum rootfs_switch how, tr_error_t *err);

#endif
