/* Idmapped mounts (the "idmap"/"ridmap" options, mounts[].uidMappings and
 * gidMappings; runtime-spec 1.3, Linux 5.12): a detached clone of a bind
 * source whose files show other owners, through mount_setattr
 * (MOUNT_ATTR_IDMAP) with a user namespace fd that carries the mapping.
 *
 * The kernel lets only a process privileged over the source's superblock
 * (host root for a host filesystem) idmap a mount, and only a detached one.
 * So the runtime makes them (mount_sources.c, right after
 * SYNC_PARENT_READY) and hands each down as the entry's mount source; the
 * init only attaches it (mounts.c). */
#ifndef TINYRUN_IDMAP_MOUNT_H
#define TINYRUN_IDMAP_MOUNT_H

#include <stdbool.h>

#include "linux/bind_mount.h"
#include "linux/mount_flags.h"
#include "util/error.h"
#include "oci-spec/spec.h"

/* Is the entry an idmapped mount: "idmap", "ridmap" or mappings given
 * (runc: mappings without the option mean "idmap")? */
bool idmap_mount_wanted (const struct spec_mount *m, const struct mount_options *mo);

/* Does any entry of spec->mounts want one (bad options count as no)? */
bool idmap_mounts_in_spec (const struct spec *spec);

/* The detached clone of r->src_fd with r's flags (bind_mount_clone()),
 * idmapped with the user namespace `userns_fd`, on every mount of the
 * tree when `recursive` ("ridmap").  EINVAL from the kernel becomes
 * "idmap on <dst>: filesystem does not support idmapped mounts". */
int idmap_mount_clone (const struct bind_request *r, int userns_fd, bool recursive, tr_error_t *err);

#endif
