/* What a "cgroup" mount inside the container is made of on this host: the
 * cgroup layer's knowledge of the hierarchies, handed down as data to the
 * mount code (linux/cgroup_mount.h), which knows nothing of layouts. */
#ifndef TINYRUN_CGROUP_MOUNT_PLAN_H
#define TINYRUN_CGROUP_MOUNT_PLAN_H

#include "linux/cgroup_mount.h"
#include "util/error.h"

/* cgroup2 hosts: one cgroup2 mount.  v1 and hybrid hosts: a tmpfs with a
 * directory per v1 hierarchy (named after its controllers, without
 * "name="), plus "unified" on hybrid ones.  host_dir is the container's
 * cgroup (cgroup_path) in each hierarchy. */
int cgroup_mount_plan_make (const char *cgroup_path, struct cgroup_mount_plan *out, tr_error_t *err);
/* Rootless without a cgroup of its own: the same, of the cgroups the
 * runtime (and so the init) is in, from /proc/self/cgroup -- runc's
 * rootless containers mount the cgroups they were started in. */
int cgroup_mount_plan_own (struct cgroup_mount_plan *out, tr_error_t *err);
void cgroup_mount_plan_clear (struct cgroup_mount_plan *plan);

#endif
