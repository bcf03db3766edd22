/* AppArmor and SELinux labels: detect, don't assume. */
#ifndef TINYRUN_LSM_H
#define TINYRUN_LSM_H

#include "util/error.h"
#include "oci-spec/spec.h"

/* Where the LSM is enabled, a label it cannot apply is an error; where it
 * is not, the label is ignored with a warning (as crun does). */
int lsm_validate (const struct spec_process *p, const char *mount_label, tr_error_t *err);

/* linux.mountLabel when SELinux can use it, else NULL. */
const char *lsm_mount_label (const struct spec *spec);

/* Set the AppArmor profile / SELinux label that the next execve puts on
 * the process (only where that LSM is enabled). */
int lsm_apply_exec_labels (const struct spec_process *p, tr_error_t *err);

#endif
