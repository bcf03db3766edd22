/* The mounts a container without a mount namespace of its own leaves in
 * the host's namespace, below its rootfs (proc, /dev, binds...).  Only what
 * tinyrun made is ever undone: create lists the mounts that are there
 * before the init runs, keeps (in the state directory) the ids of those
 * that are new once it is ready, and delete detaches exactly those.  A
 * mount that was there before (with root.path "/": the host's own tree) is
 * never touched. */
#ifndef TINYRUN_HOST_MOUNTS_H
#define TINYRUN_HOST_MOUNTS_H

#include <stddef.h>

#include "util/error.h"

/* The file in the state directory that lists the mounts create made. */
#define HOST_MOUNTS_FILE "host-mounts"

struct host_mounts
{
  int *ids; /* mount ids, as in /proc/self/mountinfo, sorted */
  size_t n;
};

void host_mounts_clear (struct host_mounts *m);
#define cleanup_host_mounts __attribute__ ((cleanup (host_mounts_clear)))

/* The mounts at or below rootfs now. */
int host_mounts_list (const char *rootfs, struct host_mounts *out, tr_error_t *err);

/* Write to HOST_MOUNTS_FILE in dirfd the mounts at or below rootfs that
 * are not in `before`. */
int host_mounts_record (int dirfd, const char *rootfs, const struct host_mounts *before, tr_error_t *err);

/* Detach the mounts at or below rootfs that are not in `before`, deepest
 * first (a failed create's rollback). */
int host_mounts_release_new (const char *rootfs, const struct host_mounts *before, tr_error_t *err);

/* Detach the mounts HOST_MOUNTS_FILE in dirfd lists (delete); no file: no
 * mount was recorded, nothing is detached. */
int host_mounts_release_recorded (int dirfd, const char *rootfs, tr_error_t *err);

#endif
