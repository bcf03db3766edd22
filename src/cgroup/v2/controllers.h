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

#endif
