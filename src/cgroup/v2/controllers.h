/* One function per cgroup v2 controller, called by cgroup_v2_apply(). */
#ifndef TINYRUN_CGROUP_V2_CONTROLLERS_H
#define TINYRUN_CGROUP_V2_CONTROLLERS_H

#include <stdbool.h>

#include "util/error.h"
#include "oci-spec/spec.h"

int v2_apply_memory (int dirfd, const struct spec_memory *m, bool update, tr_error_t *err);
int v2_apply_cpu (int dirfd, const struct spec_cpu *c, tr_error_t *err);
int v2_apply_io (int dirfd, const struct spec_block_io *b, tr_error_t *err);
int v2_apply_pids (int dirfd, int64_t limit, tr_error_t *err);
int v2_apply_hugetlb (int dirfd, const struct spec_resources *res, tr_error_t *err);
int v2_apply_rdma (int dirfd, const struct spec_resources *res, tr_error_t *err);
int v2_apply_unified (int dirfd, const kvlist *unified, tr_error_t *err);

/* cpu.weight from the v1-style cpu.shares (2..262144 → 1..10000). */
uint64_t v2_cpu_weight_from_shares (uint64_t shares);
/* io.weight from the v1-style blkio weight (10..1000 → 1..10000). */
uint64_t v2_io_weight_from_blkio (uint64_t weight);

/* The line for cpu.max ("QUOTA PERIOD", in one write) from the spec's
 * quota and period, where 0 or unset keeps the half the cgroup has now
 * (`current`, the text of cpu.max; NULL: "max 100000"), so an update of
 * the period alone keeps the quota, as `runc update` does.  A negative
 * quota is "max".  False when neither is set: nothing to write. */
bool v2_cpu_max_text (const struct spec_cpu *c, const char *current, char *out, size_t size);
/* memory.swap.max from the spec's limit and swap (memory+swap, the v1
 * meaning), runc's conversion; 0 is "not set" for both.  Returns 1 with
 * *out set (-1: "max"), 0 when there is nothing to write, or -1 with
 * *err for a pair cgroup v2 cannot express. */
int v2_swap_max (int64_t limit, int64_t swap, int64_t *out, tr_error_t *err);

#endif
