/* The cgroup v1 hierarchies mounted on this host: from /proc/self/cgroup
 * where each is at /sys/fs/cgroup/<controllers>, else from
 * /proc/self/mountinfo (the mounts no other one covers). */
#ifndef TINYRUN_CGROUP_V1_HIERARCHIES_H
#define TINYRUN_CGROUP_V1_HIERARCHIES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct v1_hierarchy
{
  char mountpoint[256];
  char controllers[256]; /* "cpu,cpuacct" or "name=systemd" */
};

/* Cached after the first call. */
int v1_hierarchies (const struct v1_hierarchy **out, size_t *n, tr_error_t *err);
bool v1_has_controller (const struct v1_hierarchy *h, const char *controller);
/* The hierarchy carrying a controller, or NULL when not mounted. */
const struct v1_hierarchy *v1_find (const char *controller);

/* Open the container's directory in the hierarchy of `controller`.  When
 * the host does not mount that controller the error names the spec field
 * that asked for it. */
int v1_open (const char *controller, const char *path, const char *field, tr_error_t *err);

#endif
