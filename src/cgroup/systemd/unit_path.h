/* --systemd-cgroup's linux.cgroupsPath, "slice:prefix:name", and what
 * systemd makes of it: the scope unit "prefix-name.scope" in the slice,
 * and the slice's cgroup, whose nesting follows the dashes of its name
 * ("a-b.slice" lives in /a.slice/a-b.slice).  Pure: no D-Bus here. */
#ifndef TINYRUN_CGROUP_SYSTEMD_UNIT_PATH_H
#define TINYRUN_CGROUP_SYSTEMD_UNIT_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct systemd_unit_path
{
  char *slice; /* "system.slice" */
  char *unit;  /* "tinyrun-c1.scope" */
  char *dir;   /* the slice's cgroup below the manager's, "/system.slice" */
};

/* Parse cgroups_path (NULL or "" means ":tinyrun:<id>").  An empty slice
 * is system.slice, or user.slice for a user's (rootless) manager.  The
 * prefix and the name take the characters of container ids; a name that
 * ends in ".slice" is refused (a slice cannot hold processes). */
int systemd_unit_path_parse (const char *cgroups_path, const char *id, bool rootless, struct systemd_unit_path *out,
                             tr_error_t *err);
void systemd_unit_path_clear (struct systemd_unit_path *p);
#define cleanup_systemd_unit_path __attribute__ ((cleanup (systemd_unit_path_clear)))

/* "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" (the root
 * slice) → "".  NULL with *err for a name systemd would refuse. */
char *systemd_expand_slice (const char *slice, tr_error_t *err);

/* The unit and the slice named by a cgroup path that systemd_unit_path
 * produced ("/system.slice/tinyrun-c1.scope"): pointers into path, the
 * slice's name copied into slice[] ("-.slice" when the scope sits at the
 * manager's root).  False when path does not end in a ".scope". */
bool systemd_unit_of_cgroup (const char *path, const char **unit, char *slice, size_t slice_size);

#endif
