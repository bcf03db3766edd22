/* One function per cgroup v1 controller, called by cgroup_v1_apply(). */
#ifndef TINYRUN_CGROUP_V1_CONTROLLERS_H
#define TINYRUN_CGROUP_V1_CONTROLLERS_H

#include <stdbool.h>

#include "util/error.h"
#include "oci-spec/spec.h"

int v1_apply_memory (const char *path, const struct spec_memory *m, bool update, tr_error_t *err);
int v1_apply_cpu (const char *path, const struct spec_cpu *c, tr_error_t *err);
int v1_apply_devices (const char *path, const struct spec_resources *res, tr_error_t *err);
int v1_apply_blkio (const char *path, const struct spec_block_io *b, tr_error_t *err);
int v1_apply_pids (const char *path, int64_t limit, tr_error_t *err);
int v1_apply_hugetlb (const char *path, const struct spec_resources *res, tr_error_t *err);
int v1_apply_network (const char *path, const struct spec_network *n, tr_error_t *err);
int v1_apply_rdma (const char *path, const struct spec_resources *res, tr_error_t *err);

/* The blkio weights on an open blkio directory: blkio.weight* (CFQ) or,
 * without them, blkio.bfq.weight* (BFQ).  Weights of 0 are not set. */
int v1_blkio_set_weights (int dirfd, const struct spec_block_io *b, tr_error_t *err);
/* Must memory.memsw.limit_in_bytes be written before
 * memory.limit_in_bytes, for a new swap limit (memory+swap, -1
 * unlimited) and the limit the cgroup has now? */
bool v1_memsw_first (int64_t swap, uint64_t current_limit);

#endif
