/* linux.resources → systemd unit properties (runc's conversions). */
#include "config.h"
#include "cgroup/systemd/properties.h"
#include "cgroup/v2/controllers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
add_u64 (struct systemd_props *out, const char *name, uint64_t v)
{
  out->v[out->n++] = (struct systemd_prop) { .name = name, .type = SYSTEMD_PROP_U64, .u64 = v };
}

/* Bytes and task counts: negative is infinity. */
static uint64_t
limit_value (int64_t v)
{
  return v < 0 ? SYSTEMD_INFINITY : (uint64_t) v;
}

uint64_t
systemd_cpu_quota_per_sec (int64_t quota, uint64_t period)
{
  if (quota < 0)
    return SYSTEMD_INFINITY;
  if (period == 0)
    period = 100000;
  uint64_t per_sec = (uint64_t) quota * 1000000 / period;
  /* systemd stores CPUQuota in whole percent: round up to 10 ms, so that
   * the container still gets at least the quota it asked for. */
  if (per_sec % 10000 != 0)
    per_sec = (per_sec / 10000 + 1) * 10000;
  return per_sec;
}

int
systemd_cpuset_bits (const char *list, const char *field, uint8_t *bits, size_t size, size_t *n_bytes,
                     tr_error_t *err)
{
  memset (bits, 0, size);
  *n_bytes = 0;
  const char *p = list;
  while (*p)
    {
      char *end;
      errno = 0;
      unsigned long lo = strtoul (p, &end, 10), hi = lo;
      if (end == p || errno)
        return tr_error_plain (err, EINVAL, "%s: \"%s\" is not a list like 0-3,5", field, list);
      if (*end == '-')
        {
          p = end + 1;
          hi = strtoul (p, &end, 10);
          if (end == p || errno || hi < lo)
            return tr_error_plain (err, EINVAL, "%s: \"%s\" is not a list like 0-3,5", field, list);
        }
      if (hi >= size * 8)
        return tr_error_plain (err, ERANGE, "%s: \"%s\" names more than %zu cpus or nodes", field, list, size * 8);
      for (unsigned long i = lo; i <= hi; i++)
        bits[i / 8] |= (uint8_t) (1u << (i % 8));
      if (hi / 8 + 1 > *n_bytes)
        *n_bytes = hi / 8 + 1;
      if (*end == ',')
        end++;
      else if (*end != '\0')
        return tr_error_plain (err, EINVAL, "%s: \"%s\" is not a list like 0-3,5", field, list);
      p = end;
    }
  return 0;
}

/* The quota and the period that the cgroup will have, one half possibly
 * kept from cpu_max_now, as the v2 driver computes them. */
static int
cpu_quota (struct systemd_props *out, const struct spec_cpu *c, const char *cpu_max_now, tr_error_t *err)
{
  char text[80], quota[32];
  unsigned long long period;
  if (!v2_cpu_max_text (c, cpu_max_now, text, sizeof text))
    return 0;
  if (sscanf (text, "%31s %llu", quota, &period) != 2)
    return tr_error_plain (err, EINVAL, "linux.resources.cpu.quota: cannot read cpu.max \"%s\"", text);
  int64_t q = strcmp (quota, "max") == 0 ? -1 : strtoll (quota, NULL, 10);
  add_u64 (out, "CPUQuotaPeriodUSec", period);
  add_u64 (out, "CPUQuotaPerSecUSec", systemd_cpu_quota_per_sec (q, period));
  return 0;
}

static int
cpu_props (struct systemd_props *out, const struct spec_cpu *c, bool v2, const char *cpu_max_now, tr_error_t *err)
{
  if (c->shares.set && c->shares.v)
    {
      if (v2)
        add_u64 (out, "CPUWeight", v2_cpu_weight_from_shares (c->shares.v));
      else
        add_u64 (out, "CPUShares", c->shares.v);
    }
  if (cpu_quota (out, c, cpu_max_now, err) < 0)
    return -1;
  /* systemd has cpusets on the unified hierarchy only. */
  struct
  {
    const char *list, *name, *field;
    uint8_t *bits;
  } sets[] = {
    { c->cpus, "AllowedCPUs", "linux.resources.cpu.cpus", out->cpus },
    { c->mems, "AllowedMemoryNodes", "linux.resources.cpu.mems", out->mems },
  };
  for (size_t i = 0; v2 && i < sizeof sets / sizeof sets[0]; i++)
    {
      size_t n;
      if (sets[i].list == NULL || sets[i].list[0] == '\0')
        continue;
      if (systemd_cpuset_bits (sets[i].list, sets[i].field, sets[i].bits, SYSTEMD_CPUSET_BYTES, &n, err) < 0)
        return -1;
      out->v[out->n++] = (struct systemd_prop) {
        .name = sets[i].name, .type = SYSTEMD_PROP_BYTES, .bytes = sets[i].bits, .n_bytes = n
      };
    }
  return 0;
}

static int
memory_props (struct systemd_props *out, const struct spec_memory *m, bool v2, tr_error_t *err)
{
  int64_t limit = m->limit.set ? m->limit.v : 0, swap = m->swap.set ? m->swap.v : 0, swap_max;
  if (!v2)
    {
      /* v1's memory+swap limit has no property: the v1 driver writes it. */
      if (limit != 0)
        add_u64 (out, "MemoryLimit", limit_value (limit));
      return 0;
    }
  int has_swap = v2_swap_max (limit, swap, &swap_max, err);
  if (has_swap < 0)
    return -1;
  if (limit != 0)
    add_u64 (out, "MemoryMax", limit_value (limit));
  if (m->reservation.set && m->reservation.v)
    add_u64 (out, "MemoryLow", limit_value (m->reservation.v));
  if (has_swap)
    add_u64 (out, "MemorySwapMax", limit_value (swap_max));
  return 0;
}

int
systemd_props_from_resources (const struct spec_resources *res, bool v2, const char *cpu_max_now,
                              struct systemd_props *out, tr_error_t *err)
{
  if (res == NULL)
    return 0;
  if (res->memory && memory_props (out, res->memory, v2, err) < 0)
    return -1;
  if (res->cpu && cpu_props (out, res->cpu, v2, cpu_max_now, err) < 0)
    return -1;
  /* TasksMax cannot be 0: 1 stops forking just as well (as runc, and as
   * the drivers write pids.max). */
  if (res->pids_limit.set)
    add_u64 (out, "TasksMax", res->pids_limit.v == 0 ? 1 : limit_value (res->pids_limit.v));
  const struct spec_block_io *b = res->block_io;
  if (b && b->weight.set && b->weight.v)
    add_u64 (out, v2 ? "IOWeight" : "BlockIOWeight", v2 ? v2_io_weight_from_blkio (b->weight.v) : b->weight.v);
  return 0;
}
