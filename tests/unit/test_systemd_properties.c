#include "unit.h"
#include "cgroup/systemd/properties.h"

#include <string.h>

static const struct systemd_prop *
find (const struct systemd_props *p, const char *name)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->v[i].name, name) == 0)
      return &p->v[i];
  return NULL;
}

static uint64_t
u64_of (const struct systemd_props *p, const char *name)
{
  const struct systemd_prop *v = find (p, name);
  return v && v->type == SYSTEMD_PROP_U64 ? v->u64 : 0xdeadULL;
}

#define SET(x) { .set = true, .v = (x) }

TEST (systemd_props_v2)
{
  struct spec_memory mem = { .limit = SET (256 << 20), .reservation = SET (64 << 20), .swap = SET (512 << 20) };
  struct spec_cpu cpu = { .shares = SET (1024), .quota = SET (50000), .period = SET (100000), .cpus = "0-1,3",
                          .mems = "0" };
  struct spec_block_io io = { .weight = SET (500) };
  struct spec_resources res = { .memory = &mem, .cpu = &cpu, .pids_limit = SET (100), .block_io = &io };
  struct systemd_props p = { .n = 0 };
  tr_error_t err = NULL;
  CHECK (systemd_props_from_resources (&res, true, NULL, &p, &err) == 0);
  CHECK (u64_of (&p, "MemoryMax") == 256 << 20);
  CHECK (u64_of (&p, "MemoryLow") == 64 << 20);
  /* swap counts memory+swap in the spec, swap alone in systemd. */
  CHECK (u64_of (&p, "MemorySwapMax") == 256 << 20);
  CHECK (u64_of (&p, "CPUWeight") == 39); /* runc: 1 + (1024-2)*9999/262142 */
  CHECK (u64_of (&p, "CPUQuotaPerSecUSec") == 500000);
  CHECK (u64_of (&p, "CPUQuotaPeriodUSec") == 100000);
  CHECK (u64_of (&p, "TasksMax") == 100);
  CHECK (u64_of (&p, "IOWeight") == 1 + (490 * 9999) / 990);
  const struct systemd_prop *cpus = find (&p, "AllowedCPUs");
  CHECK (cpus && cpus->type == SYSTEMD_PROP_BYTES && cpus->n_bytes == 1 && cpus->bytes[0] == 0x0b);
  const struct systemd_prop *mems = find (&p, "AllowedMemoryNodes");
  CHECK (mems && mems->n_bytes == 1 && mems->bytes[0] == 0x01);
  CHECK (find (&p, "MemoryLimit") == NULL && find (&p, "CPUShares") == NULL);
  tr_error_free (&err);
}

TEST (systemd_props_v1)
{
  struct spec_memory mem = { .limit = SET (-1) };
  struct spec_cpu cpu = { .shares = SET (512), .cpus = "0" };
  struct spec_block_io io = { .weight = SET (300) };
  struct spec_resources res = { .memory = &mem, .cpu = &cpu, .pids_limit = SET (-1), .block_io = &io };
  struct systemd_props p = { .n = 0 };
  tr_error_t err = NULL;
  CHECK (systemd_props_from_resources (&res, false, NULL, &p, &err) == 0);
  CHECK (u64_of (&p, "MemoryLimit") == SYSTEMD_INFINITY);
  CHECK (u64_of (&p, "CPUShares") == 512);
  CHECK (u64_of (&p, "BlockIOWeight") == 300);
  CHECK (u64_of (&p, "TasksMax") == SYSTEMD_INFINITY);
  /* systemd has no cpusets on v1; no quota was asked for. */
  CHECK (find (&p, "AllowedCPUs") == NULL && find (&p, "CPUQuotaPerSecUSec") == NULL);
  CHECK (p.n == 4);
  tr_error_free (&err);
}

TEST (systemd_props_zeros_and_limits)
{
  /* Docker's zeros are "not set"; pids 0 is a real limit, TasksMax 1. */
  struct spec_memory mem = { .limit = SET (0), .reservation = SET (0), .swap = SET (0) };
  struct spec_cpu cpu = { .shares = SET (0), .quota = SET (0), .period = SET (0) };
  struct spec_resources res = { .memory = &mem, .cpu = &cpu, .pids_limit = SET (0) };
  struct systemd_props p = { .n = 0 };
  tr_error_t err = NULL;
  CHECK (systemd_props_from_resources (&res, true, NULL, &p, &err) == 0);
  CHECK (p.n == 1);
  CHECK (u64_of (&p, "TasksMax") == 1);
  /* Unlimited memory and no word on swap: swap unlimited too. */
  mem.limit.v = -1;
  p.n = 0;
  CHECK (systemd_props_from_resources (&res, true, NULL, &p, &err) == 0);
  CHECK (u64_of (&p, "MemoryMax") == SYSTEMD_INFINITY);
  CHECK (u64_of (&p, "MemorySwapMax") == SYSTEMD_INFINITY);
  CHECK (systemd_props_from_resources (NULL, true, NULL, &p, &err) == 0);
  tr_error_free (&err);
}

TEST (systemd_props_cpu_quota)
{
  /* runc's rounding: up to whole 10 ms per second. */
  CHECK (systemd_cpu_quota_per_sec (50000, 100000) == 500000);
  CHECK (systemd_cpu_quota_per_sec (12345, 100000) == 130000);
  CHECK (systemd_cpu_quota_per_sec (150000, 0) == 1500000);
  CHECK (systemd_cpu_quota_per_sec (-1, 100000) == SYSTEMD_INFINITY);
  /* An update of the period alone keeps the scope's quota. */
  struct spec_cpu cpu = { .period = SET (50000) };
  struct spec_resources res = { .cpu = &cpu };
  struct systemd_props p = { .n = 0 };
  tr_error_t err = NULL;
  CHECK (systemd_props_from_resources (&res, true, "25000 100000\n", &p, &err) == 0);
  CHECK (u64_of (&p, "CPUQuotaPeriodUSec") == 50000);
  CHECK (u64_of (&p, "CPUQuotaPerSecUSec") == 500000);
  struct spec_cpu quota_only = { .quota = SET (-1) };
  res.cpu = &quota_only;
  p.n = 0;
  CHECK (systemd_props_from_resources (&res, true, "25000 200000\n", &p, &err) == 0);
  CHECK (u64_of (&p, "CPUQuotaPeriodUSec") == 200000);
  CHECK (u64_of (&p, "CPUQuotaPerSecUSec") == SYSTEMD_INFINITY);
  tr_error_free (&err);
}

TEST (systemd_props_errors)
{
  uint8_t bits[4];
  size_t n;
  tr_error_t err = NULL;
  CHECK (systemd_cpuset_bits ("0-3,9", "f", bits, sizeof bits, &n, &err) == 0);
  CHECK (n == 2 && bits[0] == 0x0f && bits[1] == 0x02);
  CHECK (systemd_cpuset_bits ("3-1", "linux.resources.cpu.cpus", bits, sizeof bits, &n, &err) < 0);
  CHECK_ERR (err, "linux.resources.cpu.cpus: \"3-1\" is not a list");
  tr_error_free (&err);
  CHECK (systemd_cpuset_bits ("0,x", "f", bits, sizeof bits, &n, &err) < 0);
  tr_error_free (&err);
  CHECK (systemd_cpuset_bits ("40", "f", bits, sizeof bits, &n, &err) < 0);
  CHECK_ERR (err, "more than 32");
  tr_error_free (&err);
  /* A swap limit without a memory limit cannot be expressed on v2. */
  struct spec_memory mem = { .swap = SET (1 << 20) };
  struct spec_resources res = { .memory = &mem };
  struct systemd_props p = { .n = 0 };
  CHECK (systemd_props_from_resources (&res, true, NULL, &p, &err) < 0);
  CHECK_ERR (err, "linux.resources.memory.swap");
  tr_error_free (&err);
}
