/* Per-process attributes from process.*: rlimits, OOM score, scheduling. */
#ifndef TINYRUN_PROCESS_ATTRS_H
#define TINYRUN_PROCESS_ATTRS_H

#include <stdbool.h>

#include "util/error.h"
#include "oci-spec/spec.h"

int process_apply_rlimits (const struct spec_process *p, tr_error_t *err);
int process_apply_oom_score (const struct spec_process *p, tr_error_t *err);
/* scheduler, ioPriority, execCPUAffinity */
int process_apply_scheduling (const struct spec_process *p, tr_error_t *err);
/* execCPUAffinity of an exec'd process: the initial CPUs (the runtime's
 * thread that clones it) or the final ones (right before execve); a
 * missing or empty list changes nothing.  p NULL: every CPU, for the init
 * (execCPUAffinity is not for it, runtime-spec) and an exec without one. */
int process_apply_affinity (const struct spec_process *p, bool final, tr_error_t *err);
/* linux.personality */
int personality_apply (const struct spec_personality *pers, tr_error_t *err);
int personality_validate (const struct spec_personality *pers, tr_error_t *err);
/* Check names and ranges, naming the field. */
int process_attrs_validate (const struct spec_process *p, const char *path, tr_error_t *err);

#endif
