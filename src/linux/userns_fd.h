/* A user namespace that exists only to be referred to by an fd: the
 * mapping of an idmapped mount (mount_setattr's MOUNT_ATTR_IDMAP).  A
 * short-lived child is born in a new user namespace, its uid_map and
 * gid_map are written, /proc/<child>/ns/user is opened, and the child is
 * killed and reaped: the fd keeps the namespace alive. */
#ifndef TINYRUN_USERNS_FD_H
#define TINYRUN_USERNS_FD_H

#include "util/error.h"
#include "oci-spec/spec.h"

/* An O_RDONLY fd on a new user namespace with these maps (both non-empty). */
int userns_fd_new (const idmaplist *uid_map, const idmaplist *gid_map, tr_error_t *err);

#endif
