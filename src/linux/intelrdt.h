/* linux.intelRdt: the container's processes in a resctrl group (Intel RDT
 * cache and memory bandwidth allocation), as runc's libcontainer/intelrdt.
 *
 *   <resctrl>/<closID or container id>/        CTRL_MON group: schemata, tasks
 *   <resctrl>/<group>/mon_groups/<container id>/  with enableMonitoring
 *
 * closID "/" is the default group, the root of the mount.  create makes
 * the group when it is missing (a closID without any schema must exist
 * beforehand), writes l3CacheSchema, memBwSchema, then schemata[] to its
 * `schemata` file in one write, and the init's pid to `tasks` (then to the
 * MON group's); exec adds its process the same way.  What delete removes
 * is recorded in the state directory ("intelrdt"): the group tinyrun made
 * for a container without closID (its MON groups go with it), else the
 * MON group, else nothing. */
#ifndef TINYRUN_INTELRDT_H
#define TINYRUN_INTELRDT_H

#include <stddef.h>
#include <sys/types.h>

#include "oci-spec/spec.h"
#include "util/error.h"

/* The resctrl mount point (/sys/fs/resctrl, else the first resctrl mount
 * of /proc/self/mountinfo), or an error that says there is none. */
int rdt_find_root (char *root, size_t size, tr_error_t *err);

/* Fields checked, and resctrl there with what the schemas need. */
int rdt_validate (const struct spec_intel_rdt *rdt, tr_error_t *err);

/* At create, for the init (pid); state_dirfd records what to remove. */
int rdt_apply (const struct spec_intel_rdt *rdt, const char *id, pid_t pid, int state_dirfd, tr_error_t *err);
/* The same below a given root (the unit tests use a plain directory). */
int rdt_apply_at (const char *root, const struct spec_intel_rdt *rdt, const char *id, pid_t pid, int state_dirfd,
                  tr_error_t *err);

/* At exec: pid joins the container's group (and MON group). */
int rdt_enter (const struct spec_intel_rdt *rdt, const char *id, pid_t pid, tr_error_t *err);

/* At delete and create's rollback: remove what the record names. */
int rdt_release (int state_dirfd, tr_error_t *err);

#endif
