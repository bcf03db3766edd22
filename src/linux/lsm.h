/* AppArmor and SELinux labels: detect on the host, don't assume.
 *
 * Which LSM is active is decided once, by the runtime on the host
 * (lsm_detect_host, from lsm_validate when a label is asked for), before
 * the init is cloned or exec's child forked: after pivot_root, /sys is the
 * container's and tells nothing about the host.  The children inherit the
 * decision in memory. */
#ifndef TINYRUN_LSM_H
#define TINYRUN_LSM_H

#include "util/error.h"
#include "oci-spec/spec.h"

/* A requested label (process.apparmorProfile, process.selinuxLabel,
 * linux.mountLabel) whose LSM is not enabled on the host is an error, as
 * with runc: it could not be applied.  Looks at the host only when one is
 * requested. */
int lsm_validate (const struct spec_process *p, const char *mount_label, tr_error_t *err);

/* linux.mountLabel when SELinux can use it, else NULL. */
const char *lsm_mount_label (const struct spec *spec);

/* Set the AppArmor profile / SELinux label that the next execve puts on
 * the process, through a procfs handle of tinyrun's own
 * (thread-self/attr/...); a label that cannot be applied is an error. */
int lsm_apply_exec_labels (const struct spec_process *p, tr_error_t *err);

#endif
