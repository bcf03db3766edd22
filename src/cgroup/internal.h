/* The v1, v2 and systemd drivers behind cgroup.h.  Not for use outside cgroup*.c. */
#ifndef TINYRUN_CGROUP_INTERNAL_H
#define TINYRUN_CGROUP_INTERNAL_H

#include "cgroup/cgroup.h"

/* v2: `mnt` is the cgroup2 mount point, `path` the container's cgroup. */
int cgroup_v2_create (const char *mnt, const char *path, const struct spec_resources *res, int *clone_fd,
                      size_t *existing, tr_error_t *err);
int cgroup_v2_enter (const char *mnt, const char *path, pid_t pid, tr_error_t *err);
int cgroup_v2_apply (int dirfd, const struct spec_resources *res, bool update, tr_error_t *err);
int cgroup_v2_apply_path (const char *mnt, const char *path, const struct spec_resources *res, bool update,
                          tr_error_t *err);
int cgroup_v2_pids (const char *mnt, const char *path, pid_t **pids, size_t *n, tr_error_t *err);
int cgroup_v2_signal_all (const char *mnt, const char *path, int sig, tr_error_t *err);
int cgroup_v2_freeze (const char *mnt, const char *path, bool frozen, tr_error_t *err);
bool cgroup_v2_is_frozen (const char *mnt, const char *path);
/* Kill what is in the cgroup; remove: rmdir it and its descendants too. */
int cgroup_v2_destroy (const char *mnt, const char *path, bool remove, tr_error_t *err);
int cgroup_v2_stats (const char *mnt, const char *path, struct container_stats *out, tr_error_t *err);

/* v1: one directory per mounted hierarchy. */
int cgroup_v1_create (const char *path, size_t *existing, tr_error_t *err);
/* cgroup_remove_levels in every v1 hierarchy. */
void cgroup_v1_remove_levels (const char *path, size_t keep);
int cgroup_v1_enter (const char *path, pid_t pid, tr_error_t *err);
/* The tasks file of path in every hierarchy, for the init to join itself;
 * j->n stays 0 when there are more hierarchies than CGROUP_JOIN_MAX. */
int cgroup_v1_open_join (const char *path, struct cgroup_join *j, tr_error_t *err);
int cgroup_v1_apply (const char *path, const struct spec_resources *res, bool update, tr_error_t *err);
int cgroup_v1_pids (const char *path, pid_t **pids, size_t *n, tr_error_t *err);
int cgroup_v1_signal_all (const char *path, int sig, tr_error_t *err);
int cgroup_v1_freeze (const char *path, bool frozen, tr_error_t *err);
bool cgroup_v1_is_frozen (const char *path);
int cgroup_v1_destroy (const char *path, bool remove, tr_error_t *err);
int cgroup_v1_stats (const char *path, struct container_stats *out, tr_error_t *err);

int cgroup_v1_oom_kills (const char *path, uint64_t *count, tr_error_t *err);
int cgroup_v2_oom_kills (const char *mnt, const char *path, uint64_t *count, tr_error_t *err);

/* systemd (systemd/scope.c): the scope unit behind a cgroup path. */
char *cgroup_systemd_resolve (const char *cgroups_path, const char *id, tr_error_t *err);
int cgroup_systemd_create (const char *path, tr_error_t *err);
int cgroup_systemd_enter (const char *path, const struct spec_resources *res, pid_t pid, tr_error_t *err);
int cgroup_systemd_update (const char *path, const struct spec_resources *res, tr_error_t *err);
int cgroup_systemd_destroy (const char *path, tr_error_t *err);
int cgroup_systemd_attach (const char *path, pid_t pid, tr_error_t *err);

/* Shared helpers (cgroup_util.c). */
/* Read "cgroup.procs"-style files (one pid per line) and append. */
int cgroup_read_pids (int dirfd, const char *file, pid_t **pids, size_t *n, tr_error_t *err);
/* Collect pids of dir and every descendant. */
int cgroup_read_pids_recursive (int dirfd, const char *file, pid_t **pids, size_t *n, tr_error_t *err);
/* rmdir dir's descendants bottom-up, then dir itself; retries EBUSY
 * briefly while dying processes leave. */
int cgroup_rmdir_tree (const char *dir, tr_error_t *err);
/* Write a value to dirfd/file.  The error names the spec field and the
 * file: "linux.resources.memory.limit: write 1 to memory.max: ...". */
int cgroup_set (int dirfd, const char *file, const char *field, const char *value, tr_error_t *err);
int cgroup_setf (int dirfd, const char *file, const char *field, tr_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 5, 6)));
/* Does dirfd have this interface file? */
bool cgroup_has_file (int dirfd, const char *file);

/* The default devices every container gets (null, zero, full, random,
 * urandom, tty, console, ptmx, pts), allowed after the spec's own rules
 * unless a rule names the same device (so a spec can deny one), and mknod
 * of any device. */
struct spec_device_rule;
size_t cgroup_default_device_rules (const struct spec_resources *res, struct spec_device_rule *out, size_t max);

/* linux.resources.rdma: "<device> hca_handle=N hca_object=M" for rdma.max
 * (the same in v1 and v2). */
int cgroup_set_rdma (int dirfd, const struct spec_resources *res, tr_error_t *err);

/* How many components path has ("/a/b" has 2). */
size_t cgroup_depth (const char *path);

/* Called on each parent before its child level is made (or found). */
typedef int (*cgroup_level_fn) (int parentfd, const char *child, tr_error_t *err);
/* Once a level exists: its parent's fd and its own; made: this call made
 * it (it was not there before). */
typedef int (*cgroup_level_made_fn) (int parentfd, int levelfd, bool made, tr_error_t *err);

/* Make path below mnt one level at a time, calling before (if any) ahead
 * of each mkdir and after (if any) once each level exists.  *existing
 * receives how many leading levels were there already (cgroup_depth
 * (path) when the leaf itself was): the levels below those are the ones
 * this call made.  On failure the levels made so far stay;
 * cgroup_remove_levels undoes them. */
int cgroup_make_levels (const char *mnt, const char *path, cgroup_level_fn before, cgroup_level_made_fn after,
                        size_t *existing, tr_error_t *err);

/* rmdir the levels of path below mnt deeper than the first `keep`, leaf
 * first; stops at the first one that cannot go (still in use). */
void cgroup_remove_levels (const char *mnt, const char *path, size_t keep);

/* v clamped to [lo, hi], then mapped linearly onto cgroup v2's weight
 * range [1, 10000] (cpu shares, blkio weights). */
uint64_t cgroup_v2_weight (uint64_t v, uint64_t lo, uint64_t hi);

#endif
