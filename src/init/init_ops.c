#include "config.h"
#include "init/init_ops.h"
#include "linux/dev_null.h"
#include "linux/caps.h"
#include "linux/devices.h"
#include "linux/hooks.h"
#include "linux/loopback.h"
#include "linux/lsm.h"
#include "linux/mempolicy.h"
#include "linux/paths.h"
#include "linux/process_attrs.h"
#include "linux/procfs.h"
#include "linux/self_protect.h"
#include "linux/cgroup_join.h"
#include "linux/sysctl.h"
#include "linux/terminal.h"
#include "util/fs_safe.h"

const struct init_ops init_ops_real = {
  .self_protect = self_protect_before_entering,
  .cgroup_join_self = cgroup_join_self,
  .ns_join = ns_join,
  .loopback_up = loopback_up,
  .rootfs_prepare = rootfs_prepare,
  .proc_destinations = procfs_check_mount_destinations,
  .mounts_apply = mounts_apply,
  .devices_create = devices_create,
  .dev_null_reopen_stdio = dev_null_reopen_stdio,
  .mkdir_all_in_root = mkdir_all_in_root,
  .terminal_setup = terminal_setup,
  .hooks_run = hooks_run,
  .rootfs_pivot = rootfs_pivot,
  .sysctl_apply = sysctl_apply,
  .paths_mask = paths_mask,
  .paths_make_readonly = paths_make_readonly,
  .rootfs_finish = rootfs_finish,
  .rlimits = process_apply_rlimits,
  .oom_score = process_apply_oom_score,
  .scheduling = process_apply_scheduling,
  .affinity = process_apply_affinity,
  .seccomp_compile = seccomp_compile,
  .seccomp_install = seccomp_install,
  .caps_set_bounding = caps_set_bounding,
  .caps_apply = caps_apply,
  .lsm_apply_exec_labels = lsm_apply_exec_labels,
  .personality_apply = personality_apply,
  .mempolicy_apply = mempolicy_apply,
};

const struct init_ops *init_ops = &init_ops_real;
