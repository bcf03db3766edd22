/* Per-process attributes from process.*: rlimits, OOM score, scheduling. */
#ifndef TINYRUN_PROCESS_ATTRS_H
#define TINYRUN_PROCESS_ATTRS_H

#include "error.h"
#include "../oci-spec/spec.h"

int process_apply_rlimits (const struct spec_process *p, tr_error_t *err);
int process_apply_oom_score (const struct spec_process *p, tr_error_t *err);
/* scheduler, ioPriority, execCPUAffinity */
int process_apply_scheduling (const struct spec_process *p, tr_error_t *err);
/* Reject what this build cannot apply, naming the field. */
int process_attrs_validate (const struct spec_process *p, const char *path, tr_error_t *err);

#endif
