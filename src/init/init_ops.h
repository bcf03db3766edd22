/* The seam between the init's steps and the mechanisms of src/linux: every
 * step calls its mechanism through the table `init_ops`, so that a unit
 * test can run the whole step list without root and record the order
 * (tests/unit/test_init_order.c).  The init's own syscalls go through
 * util/syscalls.h's `tr_sys` in the same way. */
#ifndef TINYRUN_INIT_OPS_H
#define TINYRUN_INIT_OPS_H

#include <stdbool.h>
#include <sys/types.h>

#include "linux/cgroup_join.h"
#include "linux/mounts.h"
#include "linux/namespaces.h"
#include "linux/rootfs.h"
#include "linux/seccomp.h"
#include "oci-spec/spec.h"
#include "util/error.h"

struct init_ops
{
  int (*self_protect) (tr_error_t *err);
  int (*cgroup_join_self) (const struct cgroup_join *j, tr_error_t *err);
  int (*ns_join) (const struct ns_plan *plan, const int *fds, unsigned long only, tr_error_t *err);
  int (*loopback_up) (tr_error_t *err);
  int (*rootfs_prepare) (const struct spec *spec, const char *rootfs, enum rootfs_switch how, tr_error_t *err);
  int (*proc_destinations) (const struct spec *spec, int rootfd, tr_error_t *err);
  int (*mounts_apply) (const struct spec *spec, const struct mount_context *mc, tr_error_t *err);
  int (*devices_create) (const struct spec *spec, int rootfd, bool user_ns, bool default_devices, tr_error_t *err);
  int (*mkdir_all_in_root) (int rootfd, const char *path, mode_t mode, tr_error_t *err);
  int (*terminal_setup) (int rootfd, const struct spec_process *p, bool bind_console, tr_error_t *err);
  int (*hooks_run) (const hooklist *hooks, const char *phase, const char *state_json, tr_error_t *err);
  int (*rootfs_pivot) (const char *rootfs, int rootfd, enum rootfs_switch how, tr_error_t *err);
  int (*dev_null_reopen_stdio) (tr_error_t *err);
  int (*sysctl_apply) (const struct spec *spec, tr_error_t *err);
  int (*paths_mask) (const strlist *paths, tr_error_t *err);
  int (*paths_make_readonly) (const strlist *paths, tr_error_t *err);
  int (*rootfs_finish) (const struct spec *spec, enum rootfs_switch how, tr_error_t *err);
  int (*rlimits) (const struct spec_process *p, tr_error_t *err);
  int (*oom_score) (const struct spec_process *p, tr_error_t *err);
  int (*scheduling) (const struct spec_process *p, tr_error_t *err);
  int (*affinity) (const struct spec_process *p, bool final, tr_error_t *err);
  int (*seccomp_compile) (const struct spec_seccomp *s, struct seccomp_program **out, tr_error_t *err);
  int (*seccomp_install) (struct seccomp_program *prog, int *notify_fd, tr_error_t *err);
  int (*caps_set_bounding) (const struct spec_capabilities *c, tr_error_t *err);
  int (*caps_apply) (const struct spec_capabilities *c, tr_error_t *err);
  int (*lsm_apply_exec_labels) (const struct spec_process *p, tr_error_t *err);
  int (*personality_apply) (const struct spec_personality *pers, tr_error_t *err);
  int (*mempolicy_apply) (const struct spec_memory_policy *mp, tr_error_t *err);
};

/* The real mechanisms. */
extern const struct init_ops init_ops_real;

/* The table in use: &init_ops_real, unless a test swapped it. */
extern const struct init_ops *init_ops;

#endif
