/* Bind mounts by fd: clone a source (an O_PATH fd the caller opened and
 * checked) with open_tree(), set its flags on the detached clone, attach
 * it onto a verified mount point with move_mount().  Flags the options do
 * not name keep their value, so the flags a user namespace locks on mounts
 * from the host (nosuid, nodev, noexec, atime) stay set. */
#ifndef TINYRUN_BIND_MOUNT_H
#define TINYRUN_BIND_MOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct bind_request
{
  int src_fd;                /* what to bind */
  int target_fd;             /* O_PATH fd on the verified mount point */
  bool recursive;            /* rbind: the source's submounts too */
  unsigned long set, clear;  /* per-mount MS_* flags to set / clear */
  uint64_t rec_set, rec_clr; /* MOUNT_ATTR_* for every mount of the tree */
  /* Only for kernels without open_tree() (before 5.2), whose bind mount
   * can only be found again by its path: the rootfs and the path in it. */
  int rootfd;
  const char *dst;           /* also names the mount in messages */
};

/* Make the bind mount; returns an fd on the new mount's root. */
int bind_mount_onto (const struct bind_request *r, tr_error_t *err);

/* The detached clone of r->src_fd with r's flags set (target_fd and
 * rootfd unused), for the caller to change further and attach; needs
 * open_tree() and mount_setattr() (Linux 5.12). */
int bind_mount_clone (const struct bind_request *r, tr_error_t *err);

#endif
