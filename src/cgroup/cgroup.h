/* A container's cgroup, whatever the host's layout.
 *
 * Three layouts exist:
 *   unified  /sys/fs/cgroup is cgroup2 with every controller (the target);
 *   legacy   one cgroup v1 hierarchy per controller under /sys/fs/cgroup;
 *   hybrid   legacy, plus a cgroup2 mount at /sys/fs/cgroup/unified that
 *            carries no controller worth speaking of.
 * A container's cgroup is named by one path relative to the hierarchy
 * roots ("/tinyrun/c1"); on v1 that directory exists in every hierarchy.
 * On hybrid hosts the container also gets the same directory in the
 * cgroup2 mount, which gives it cgroup.kill and cgroup.freeze.
 *
 * cgroup.c detects the layout and dispatches to cgroup_v2.c or
 * cgroup_v1.c; each resource lives in its own file below those.
 *
 * Who makes the cgroup is the manager: tinyrun itself through cgroupfs,
 * or, with --systemd-cgroup, systemd (systemd/: a transient scope unit
 * started over D-Bus, into whose cgroup the v1/v2 drivers then write what
 * systemd has no property for).  Either way the container's cgroup is one
 * path, and pause, ps, kill --all and events work on its files alike. */
#ifndef TINYRUN_CGROUP_H
#define TINYRUN_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/cgroup_join.h"
#include "util/error.h"
#include "oci-spec/spec.h"
#include "oci-spec/stats.h"

enum cgroup_layout
{
  CGROUP_LAYOUT_UNIFIED,
  CGROUP_LAYOUT_LEGACY,
  CGROUP_LAYOUT_HYBRID,
};

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_UNIFIED_HYBRID "/sys/fs/cgroup/unified"

enum cgroup_layout cgroup_layout (void);
const char *cgroup_layout_name (enum cgroup_layout layout);

/* The mount point of the cgroup2 hierarchy (NULL on legacy hosts). */
const char *cgroup_v2_mountpoint (void);

enum cgroup_manager
{
  CGROUP_MANAGER_CGROUPFS,
  CGROUP_MANAGER_SYSTEMD,
};

static inline enum cgroup_manager
cgroup_manager_of (bool systemd)
{
  return systemd ? CGROUP_MANAGER_SYSTEMD : CGROUP_MANAGER_CGROUPFS;
}

/* linux.cgroupsPath → a path relative to the hierarchy roots:
 *   absolute  used as it is;
 *   relative  below tinyrun's own cgroup;
 *   empty     "/tinyrun/<id>".
 * Rejects ".." components.  Caller frees. */
char *cgroup_resolve_path (const char *cgroups_path, const char *id, tr_error_t *err);

/* cgroup_resolve_path for the manager m.  systemd: linux.cgroupsPath is
 * "slice:prefix:name" (empty: ":tinyrun:<id>"; an empty slice is
 * system.slice), the cgroup that of the scope prefix-name.scope in the
 * slice, e.g. "/system.slice/tinyrun-c1.scope"; asks systemd where its
 * slices start, so systemd must be reachable. */
char *cgroup_resolve (enum cgroup_manager m, const char *cgroups_path, const char *id, tr_error_t *err);

/* Create the container's cgroup in every hierarchy and apply `res` (may be
 * NULL).  On a cgroup2 host *clone_fd receives an O_PATH fd of the cgroup
 * for clone3(CLONE_INTO_CGROUP), else -1.  An existing cgroup is used only
 * when it holds no process (as runc); one that does is refused.  *top
 * receives the shallowest level of path this call made (in every
 * hierarchy), or NULL when path existed already: what cgroup_destroy may
 * remove.  On failure what it made is removed again.
 * seen_missing: the caller has just seen path missing from every
 * hierarchy (cgroup_planned_top), so there is no existing cgroup to check
 * (one made meanwhile is joined, as one made between the check and the
 * mkdir always could be).
 * systemd: only checks that the unit does not exist yet (*clone_fd -1,
 * *top NULL): the scope needs the init's pid, see cgroup_enter_init. */
int cgroup_create (enum cgroup_manager m, const char *path, const struct spec_resources *res, bool seen_missing,
                   int *clone_fd, char **top, tr_error_t *err);

/* Rootless (euid != 0, cgroupfs), after cgroup_create failed with *err:
 * as runc, a container whose user may not make its cgroup (EACCES, EPERM,
 * EROFS) runs without one when res asks for no limit (device rules do not
 * count: a user namespace cannot make device nodes).  Returns 0 after a
 * warning, with *err dropped: go on without a cgroup.  Returns -1 with
 * *err kept, or saying that the limits need a delegated cgroup. */
int cgroup_rootless_fallback (enum cgroup_manager m, const struct spec_resources *res, tr_error_t *err);

/* The `top` cgroup_create (path) would report if called now: the
 * shallowest level of path missing from every hierarchy, "" when none
 * would be made.  For a record written before the cgroup is made.
 * *missing: path's own level exists in no hierarchy.  Caller frees; NULL
 * on ENOMEM. */
char *cgroup_planned_top (const char *path, bool *missing);

/* Move pid into the container's cgroup in every hierarchy (needed on v1,
 * and on v2 when CLONE_INTO_CGROUP was not available). */
int cgroup_enter (const char *path, pid_t pid, tr_error_t *err);

/* For the init to join the container's v1 cgroups itself (linux/cgroup_join.h):
 * the tasks files of every v1 hierarchy; j->n is 0 (the runtime moves the
 * init with cgroup_enter_init) with the systemd manager, without v1
 * hierarchies, or with too many of them. */
int cgroup_join_open (enum cgroup_manager m, const char *path, struct cgroup_join *j, tr_error_t *err);

/* cgroup_enter's cgroup2 half alone (after the init joined its v1 cgroups
 * itself); 0 without a cgroup2 mount. */
int cgroup_enter_v2 (const char *path, pid_t pid, tr_error_t *err);

/* cgroup_enter for --systemd-cgroup (exec): when an ordinary user may not
 * move pid (it is outside the user manager's subtree: the common parent
 * is root's), the manager is asked to (AttachProcessesToUnit). */
int cgroup_enter_systemd (const char *path, pid_t pid, tr_error_t *err);

/* Put the container's init into its cgroup: cgroupfs, cgroup_enter (res
 * was applied by cgroup_create); systemd, start the scope with pid in it
 * and res as its properties, wait for the job, then write res to the
 * scope's files. */
int cgroup_enter_init (enum cgroup_manager m, const char *path, const struct spec_resources *res, pid_t pid,
                       tr_error_t *err);

/* Apply resources to an existing cgroup (update); systemd: to the unit's
 * properties too. */
int cgroup_update (enum cgroup_manager m, const char *path, const struct spec_resources *res, tr_error_t *err);

/* Every pid in the cgroup (and its descendants).  Caller frees *pids. */
int cgroup_pids (const char *path, pid_t **pids, size_t *n, tr_error_t *err);

/* Signal every process in the cgroup (cgroup.kill for SIGKILL where the
 * kernel has it). */
int cgroup_signal_all (const char *path, int sig, tr_error_t *err);

int cgroup_freeze (const char *path, bool frozen, tr_error_t *err);
bool cgroup_is_frozen (const char *path);

/* The directory whose freezer cgroup_freeze uses (v1 freezer.state, else
 * cgroup.freeze), for criu's --freeze-cgroup; NULL when there is none.
 * Caller frees. */
char *cgroup_freezer_dir (const char *path);

/* Kill what is left in the cgroup; then, when top (from cgroup_create) is
 * one of path's levels, remove path and its descendants, and its empty
 * parents up to and including top, in every hierarchy (delete passes path
 * itself as top: the parents stay).  A cgroup that
 * existed before create (top NULL or "") stays.  systemd: kill, then
 * stop the unit (systemd removes the cgroup). */
int cgroup_destroy (enum cgroup_manager m, const char *path, const char *top, tr_error_t *err);

/* Statistics for `events --stats`, into out (zeroed by the caller; clear
 * it with container_stats_clear()). */
int cgroup_stats (const char *path, struct container_stats *out, tr_error_t *err);

/* How many processes the kernel's OOM killer has killed in the cgroup so
 * far (memory.events on v2, memory.oom_control on v1). */
int cgroup_oom_kills (const char *path, uint64_t *count, tr_error_t *err);

#endif
