/* A "cgroup" entry of the spec's mounts: what the container sees at
 * /sys/fs/cgroup. */
#ifndef TINYRUN_CGROUP_MOUNT_H
#define TINYRUN_CGROUP_MOUNT_H

#include <stdbool.h>

#include "util/error.h"

/* With a cgroup namespace the hierarchies are mounted afresh (the kernel
 * roots them at the container's cgroup); without one, the container's own
 * cgroup directories are bind-mounted so it cannot see its neighbours.
 * cgroup2 hosts get one mount; v1 and hybrid hosts get a tmpfs with one
 * directory per hierarchy (plus "unified" on hybrid ones). */
int cgroup_mount (int rootfd, const char *dst, unsigned long flags, const char *cgroup_path, bool cgroup_ns,
                  tr_error_t *err);

#endif
