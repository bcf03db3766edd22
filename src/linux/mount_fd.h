/* Mounts handled by fd with the new mount API: a mount is made detached
 * (open_tree, fsopen/fsmount), its attributes are set on that fd, and it
 * is attached onto an O_PATH fd of a verified mount point (move_mount).
 * No step looks a path up again after the mount point was checked, so a
 * rename or a symlink swapped in meanwhile cannot move the attributes to
 * another mount.  Kernels without the API get the mount(2) calls. */
#ifndef TINYRUN_MOUNT_FD_H
#define TINYRUN_MOUNT_FD_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* Set and clear per-mount flags (MS_*) on the mount `fd` is the root of
 * (attached or not); with `recursive` on every mount of its tree.  Flags
 * neither names keep their value (the locked flags of a user namespace
 * among them).  Fails with ENOSYS on a kernel without mount_setattr(). */
int mount_fd_set_flags (int fd, unsigned long set, unsigned long clear, bool recursive, const char *what,
                        tr_error_t *err);

/* The same for an attached mount, and on a kernel without mount_setattr()
 * a bind remount through /proc/self/fd/N, which names that very mount. */
int mount_fd_set_flags_attached (int fd, unsigned long set, unsigned long clear, const char *what,
                                 tr_error_t *err);

/* The same with MOUNT_ATTR_* bits (the "rro", "rnosuid", ... options), on
 * the whole tree. */
int mount_fd_set_attrs_recursive (int fd, uint64_t attr_set, uint64_t attr_clr, const char *what, tr_error_t *err);

/* Attach the detached mount `mnt_fd` onto the mount point `target_fd`. */
int mount_fd_attach (int mnt_fd, int target_fd, const char *what, tr_error_t *err);

/* Set propagation (MS_SHARED, MS_SLAVE, ..., maybe | MS_REC) on the
 * attached mount `fd` is the root of. */
int mount_fd_propagation (int fd, unsigned long propagation, const char *what, tr_error_t *err);

/* A new, detached filesystem mount (fsopen, fsconfig, fsmount): `data`
 * is the comma-separated fs options (double quotes protect commas, as in
 * context="a,b"), `flags` the MS_* flags, superblock and per-mount.
 * Errors say "mount <type> on <what>"; ENOSYS when the kernel lacks the
 * API (the caller then uses mount(2)). */
int fs_mount_detached (const char *type, const char *source, unsigned long flags, const char *data,
                       const char *what, tr_error_t *err);

struct fs_mount_request
{
  const char *type, *source, *data; /* as for fs_mount_detached() */
  unsigned long flags;
  int target_fd;                    /* O_PATH fd on the verified mount point */
  /* Only for kernels without fsopen() (before 5.2), whose mount can only
   * be found again by its path: the root and the path in it. */
  int rootfd;
  const char *dst;                  /* also names the mount in messages */
};

/* A new filesystem mount attached onto r->target_fd; returns an fd on
 * the new mount's root. */
int fs_mount_onto (const struct fs_mount_request *r, tr_error_t *err);

/* Kernels without the new mount API: an O_PATH fd on the mount now at
 * dst, found by its path again: inside rootfd, or with AT_FDCWD a path as
 * this process sees it. */
int mount_fd_reopen_path (int rootfd, const char *dst, tr_error_t *err);

/* Did the last call fail because the kernel lacks the new mount API?
 * Then the error is dropped (with a debug log) and true is returned. */
bool mount_api_missing (tr_error_t *err);

#endif
