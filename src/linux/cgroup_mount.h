/* A "cgroup" entry of the spec's mounts: what the container sees at
 * /sys/fs/cgroup.  Which hierarchies exist is the cgroup layer's
 * knowledge; it hands it down as a plan (cgroup/mount_plan.h). */
#ifndef TINYRUN_CGROUP_MOUNT_H
#define TINYRUN_CGROUP_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* One hierarchy of the host, as the container will see it. */
struct cgroup_mount_source
{
  char *subdir;   /* below the destination ("cpu,cpuacct", "unified"); NULL: the destination itself */
  char *fstype;   /* "cgroup" or "cgroup2" */
  char *options;  /* a v1 hierarchy's controllers ("cpu,cpuacct", "name=systemd"), or NULL */
  char *host_dir; /* the container's own directory in this hierarchy */
};

struct cgroup_mount_plan
{
  struct cgroup_mount_source *v;
  size_t n;
  bool tmpfs; /* v1 and hybrid hosts: a tmpfs at the destination holds one directory per hierarchy */
};

/* With a cgroup namespace the hierarchies are mounted afresh (the kernel
 * roots them at the container's cgroup); without one, the container's own
 * cgroup directories (host_dir) are bind-mounted so it cannot see its
 * neighbours.  Returns an fd on the new mount. */
int cgroup_mount (int rootfd, const char *dst, unsigned long flags, const struct cgroup_mount_plan *plan,
                  bool cgroup_ns, tr_error_t *err);

#endif
