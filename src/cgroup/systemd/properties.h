/* linux.resources → the unit properties systemd understands, as data for
 * StartTransientUnit and SetUnitProperties.  Pure: the conversions are
 * runc's (libcontainer/cgroups/systemd/common.go, v1.go, v2.go), so a
 * scope made by tinyrun shows the values runc's would.  What has no
 * property here (devices, unified, hugetlb, rdma, swap on v1, ...) is
 * written to the scope's files by the v1/v2 drivers; docs/cgroups.md has
 * the whole table. */
#ifndef TINYRUN_CGROUP_SYSTEMD_PROPERTIES_H
#define TINYRUN_CGROUP_SYSTEMD_PROPERTIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "oci-spec/spec.h"

/* systemd's "infinity" for byte, task and time limits. */
#define SYSTEMD_INFINITY UINT64_MAX
/* Enough for AllowedCPUs/AllowedMemoryNodes up to cpu 8191. */
#define SYSTEMD_CPUSET_BYTES 1024
#define SYSTEMD_MAX_PROPS 16

enum systemd_prop_type
{
  SYSTEMD_PROP_U64,   /* D-Bus "t" */
  SYSTEMD_PROP_BYTES, /* D-Bus "ay": a cpu or node bitmask, bit i of byte j is 8j+i */
};

struct systemd_prop
{
  const char *name;
  enum systemd_prop_type type;
  uint64_t u64;
  const uint8_t *bytes;
  size_t n_bytes;
};

struct systemd_props
{
  struct systemd_prop v[SYSTEMD_MAX_PROPS];
  size_t n;
  uint8_t cpus[SYSTEMD_CPUSET_BYTES], mems[SYSTEMD_CPUSET_BYTES];
};

/* Fill out (zeroed by the caller) from res.  v2: the unified hierarchy's
 * properties (MemoryMax, CPUWeight, IOWeight, ...), else v1's
 * (MemoryLimit, CPUShares, BlockIOWeight, ...).  cpu_max_now is the
 * scope's cpu.max ("QUOTA PERIOD") on an update, so that setting one half
 * keeps the other as the file does; NULL at create.  0 means "not set" as
 * in the v1/v2 drivers. */
int systemd_props_from_resources (const struct spec_resources *res, bool v2, const char *cpu_max_now,
                                  struct systemd_props *out, tr_error_t *err);

/* "0-3,8" → a bitmask as systemd's AllowedCPUs takes it; *n_bytes is the
 * length up to the highest set bit. */
int systemd_cpuset_bits (const char *list, const char *field, uint8_t *bits, size_t size, size_t *n_bytes,
                         tr_error_t *err);

/* CPUQuotaPerSecUSec from a quota and period (µs), rounded up to whole
 * 10 ms as runc does (systemd keeps whole percent); a quota < 0 is
 * infinity. */
uint64_t systemd_cpu_quota_per_sec (int64_t quota, uint64_t period);

#endif
