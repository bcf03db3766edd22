/* The spec's "mounts", applied inside the rootfs before pivot_root. */
#ifndef TINYRUN_MOUNTS_H
#define TINYRUN_MOUNTS_H

#include <stdbool.h>

#include "linux/cgroup_mount.h"
#include "linux/mount_sources.h"
#include "util/error.h"
#include "oci-spec/spec.h"

struct mount_context
{
  int rootfd;              /* the rootfs, already a mount point */
  const char *bundle;      /* relative bind sources are relative to it */
  const struct cgroup_mount_plan *cgroup_mounts; /* what a "cgroup" mount is made of */
  bool cgroup_ns;          /* the container has its own cgroup namespace */
  bool user_ns;            /* the container has its own user namespace */
  bool net_ns;             /* ... and network namespace */
  const char *mount_label; /* linux.mountLabel (SELinux), or NULL */
  /* Bind sources the runtime opened with host rights (mount_sources.h),
   * one per spec->mounts entry; NULL, or -1 for an entry: the init opens
   * the source itself. */
  const struct mount_sources *sources;
};

/* Mount every entry of spec->mounts in order.  Errors name the entry:
 * "mounts[3] (/proc): mount proc on /proc: Operation not permitted". */
int mounts_apply (const struct spec *spec, const struct mount_context *mc, tr_error_t *err);

/* Is there a mount of type bind at "/dev" (then tinyrun leaves /dev alone)? */
bool mounts_have_bind_dev (const struct spec *spec);

/* Does the first "/dev" entry have "ro"?  Then /dev is mounted writable
 * and made read-only once the devices exist (rootfs_finish). */
bool mounts_dev_readonly (const struct spec *spec);

#endif
