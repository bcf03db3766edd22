/* Mounting by fd: bind a source (an O_PATH fd the caller opened and
 * checked) onto a path inside the rootfs, then apply flags with a bind
 * remount that keeps the flags the kernel locks in a user namespace. */
#ifndef TINYRUN_BIND_MOUNT_H
#define TINYRUN_BIND_MOUNT_H

#include "util/error.h"

/* Bind-mount `src_fd` onto the rootfs path `dst` (MS_REC in flags for a
 * recursive bind), then remount it with the other flags, if any. */
int bind_mount_fd (int src_fd, int rootfd, const char *dst, unsigned long flags, tr_error_t *err);

/* Remount the bind mount at `dst` with `flags` plus its locked flags
 * (nosuid, nodev, noexec, atime), less `clear`.  It reopens `dst`: after a
 * mount, an fd opened before it still names the covered directory. */
int remount_bind (int rootfd, const char *dst, unsigned long flags, unsigned long clear, tr_error_t *err);

#endif
