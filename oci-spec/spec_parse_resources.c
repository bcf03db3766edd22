/* config.json "linux.resources" (also the document of `update --resources`). */
#include "config.h"
#include "oci-spec/spec_parse_internal.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

int
check_dev_number (const opt_i64 *n, const char *path, const char *key, tr_error_t *err)
{
  if (n->set && (n->v < -1 || n->v > (int64_t) UINT32_MAX))
    return tr_error_plain (err, ERANGE, "%s.%s: %lld is outside -1..4294967295", path, key, (long long) n->v);
  return 0;
}

/* A limit where -1 means unlimited: any other negative number is refused
 * rather than taken as unlimited too. */
static int
check_limit (const opt_i64 *n, const char *path, const char *key, tr_error_t *err)
{
  if (n->set && n->v < -1)
    return tr_error_plain (err, ERANGE, "%s.%s: %lld is negative (-1 means unlimited)", path, key, (long long) n->v);
  return 0;
}

static int
parse_device_rule (struct jr *r, yajl_val o, const char *ip, void *array, size_t i, tr_error_t *err)
{
  struct spec_device_rule *d = (struct spec_device_rule *) array + i;
  opt_bool allow = { 0 };
  if (jr_bool (r, o, ip, "allow", &allow, err) < 0 || jr_string (r, o, ip, "type", &d->type, err) < 0
      || jr_i64 (r, o, ip, "major", &d->major, err) < 0 || jr_i64 (r, o, ip, "minor", &d->minor, err) < 0
      || jr_string (r, o, ip, "access", &d->access, err) < 0)
    return -1;
  if (check_dev_number (&d->major, ip, "major", err) < 0 || check_dev_number (&d->minor, ip, "minor", err) < 0)
    return -1;
  if (!allow.set)
    return tr_error_plain (err, EINVAL, "%s.allow: required", ip);
  d->allow = allow.v;
  if (d->type && (strlen (d->type) != 1 || strchr ("acb", d->type[0]) == NULL))
    return tr_error_plain (err, EINVAL, "%s.type: must be one of a, c, b", ip);
  if (d->access && (d->access[strspn (d->access, "rwm")] != '\0'))
    return tr_error_plain (err, EINVAL, "%s.access: \"%s\" is not a combination of r, w and m", ip, d->access);
  return 0;
}

static int
parse_device_rules (struct jr *r, yajl_val res, const char *path, struct spec_resources *out, tr_error_t *err)
{
  return JR_OBJECT_ARRAY (r, res, path, "devices", parse_device_rule, &out->devices, &out->n_devices, err);
}

static int
parse_memory (struct jr *r, yajl_val res, const char *path, struct spec_resources *out, tr_error_t *err)
{
  yajl_val o;
  int ret = jr_object (r, res, path, "memory", &o, err);
  if (ret <= 0)
    return ret;
  const char *p = jr_path (r, path, "memory");
  struct spec_memory *m = jr_alloc (r, sizeof *m, p, err);
  if (m == NULL)
    return -1;
  out->memory = m;
  if (jr_i64 (r, o, p, "limit", &m->limit, err) < 0 || jr_i64 (r, o, p, "reservation", &m->reservation, err) < 0
      || jr_i64 (r, o, p, "swap", &m->swap, err) < 0 || jr_i64 (r, o, p, "kernel", &m->kernel, err) < 0
      || jr_i64 (r, o, p, "kernelTCP", &m->kernel_tcp, err) < 0
      || jr_u64 (r, o, p, "swappiness", &m->swappiness, err) < 0
      || jr_bool (r, o, p, "disableOOMKiller", &m->disable_oom_killer, err) < 0
      || jr_bool (r, o, p, "useHierarchy", &m->use_hierarchy, err) < 0
      || jr_bool (r, o, p, "checkBeforeUpdate", &m->check_before_update, err) < 0)
    return -1;
  if (check_limit (&m->limit, p, "limit", err) < 0 || check_limit (&m->reservation, p, "reservation", err) < 0
      || check_limit (&m->swap, p, "swap", err) < 0 || check_limit (&m->kernel, p, "kernel", err) < 0
      || check_limit (&m->kernel_tcp, p, "kernelTCP", err) < 0)
    return -1;
  return 0;
}

static int
parse_cpu (struct jr *r, yajl_val res, const char *path, struct spec_resources *out, tr_error_t *err)
{
  yajl_val o;
  int ret = jr_object (r, res, path, "cpu", &o, err);
  if (ret <= 0)
    return ret;
  const char *p = jr_path (r, path, "cpu");
  struct spec_cpu *c = jr_alloc (r, sizeof *c, p, err);
  if (c == NULL)
    return -1;
  out->cpu = c;
  if (jr_u64 (r, o, p, "shares", &c->shares, err) < 0 || jr_i64 (r, o, p, "quota", &c->quota, err) < 0
      || jr_u64 (r, o, p, "burst", &c->burst, err) < 0 || jr_u64 (r, o, p, "period", &c->period, err) < 0
      || jr_i64 (r, o, p, "realtimeRuntime", &c->realtime_runtime, err) < 0
      || jr_u64 (r, o, p, "realtimePeriod", &c->realtime_period, err) < 0
      || jr_string (r, o, p, "cpus", &c->cpus, err) < 0 || jr_string (r, o, p, "mems", &c->mems, err) < 0
      || jr_i64 (r, o, p, "idle", &c->idle, err) < 0)
    return -1;
  if (check_limit (&c->quota, p, "quota", err) < 0 || check_limit (&c->realtime_runtime, p, "realtimeRuntime", err) < 0)
    return -1;
  return 0;
}

static int
parse_throttle_device (struct jr *r, yajl_val o, const char *ip, void *array, size_t i, tr_error_t *err)
{
  opt_i64 major = { 0 }, minor = { 0 };
  opt_u64 rate = { 0 };
  if (jr_i64 (r, o, ip, "major", &major, err) < 0 || jr_i64 (r, o, ip, "minor", &minor, err) < 0
      || jr_u64 (r, o, ip, "rate", &rate, err) < 0)
    return -1;
  if (!major.set || !minor.set)
    return tr_error_plain (err, EINVAL, "%s: major and minor are required", ip);
  ((struct spec_throttle_device *) array)[i] = (struct spec_throttle_device){ major.v, minor.v, rate.v };
  return 0;
}

static int
parse_throttle (struct jr *r, yajl_val blk, const char *path, const char *key, throttlelist *out, tr_error_t *err)
{
  return JR_OBJECT_ARRAY (r, blk, path, key, parse_throttle_device, &out->v, &out->n, err);
}

static int
parse_weight_device (struct jr *r, yajl_val d, const char *ip, void *array, size_t i, tr_error_t *err)
{
  struct spec_weight_device *w = (struct spec_weight_device *) array + i;
  opt_i64 major = { 0 }, minor = { 0 };
  if (jr_i64 (r, d, ip, "major", &major, err) < 0 || jr_i64 (r, d, ip, "minor", &minor, err) < 0
      || jr_u64 (r, d, ip, "weight", &w->weight, err) < 0
      || jr_u64 (r, d, ip, "leafWeight", &w->leaf_weight, err) < 0)
    return -1;
  if (!major.set || !minor.set)
    return tr_error_plain (err, EINVAL, "%s: major and minor are required", ip);
  w->major = major.v;
  w->minor = minor.v;
  return 0;
}

static int
parse_block_io (struct jr *r, yajl_val res, const char *path, struct spec_resources *out, tr_error_t *err)
{
  yajl_val o;
  int ret = jr_object (r, res, path, "blockIO", &o, err);
  if (ret <= 0)
    return ret;
  const char *p = jr_path (r, path, "blockIO");
  struct spec_block_io *b = jr_alloc (r, sizeof *b, p, err);
  if (b == NULL)
    return -1;
  out->block_io = b;
  if (jr_u64 (r, o, p, "weight", &b->weight, err) < 0 || jr_u64 (r, o, p, "leafWeight", &b->leaf_weight, err) < 0
      || parse_throttle (r, o, p, "throttleReadBpsDevice", &b->throttle_read_bps, err) < 0
      || parse_throttle (r, o, p, "throttleWriteBpsDevice", &b->throttle_write_bps, err) < 0
      || parse_throttle (r, o, p, "throttleReadIOPSDevice", &b->throttle_read_iops, err) < 0
      || parse_throttle (r, o, p, "throttleWriteIOPSDevice", &b->throttle_write_iops, err) < 0
      || JR_OBJECT_ARRAY (r, o, p, "weightDevice", parse_weight_device, &b->weight_device, &b->n_weight_device,
                          err) < 0)
    return -1;
  return 0;
}

static int
parse_hugepage_limit (struct jr *r, yajl_val o, const char *ip, void *array, size_t i, tr_error_t *err)
{
  struct spec_hugepage_limit *h = (struct spec_hugepage_limit *) array + i;
  opt_u64 limit = { 0 };
  if (jr_string (r, o, ip, "pageSize", &h->page_size, err) < 0 || jr_u64 (r, o, ip, "limit", &limit, err) < 0)
    return -1;
  if (h->page_size == NULL)
    return tr_error_plain (err, EINVAL, "%s.pageSize: required", ip);
  h->limit = limit.v;
  return 0;
}

static int
parse_hugepages (struct jr *r, yajl_val res, const char *path, struct spec_resources *out, tr_error_t *err)
{
  return JR_OBJECT_ARRAY (r, res, path, "hugepageLimits", parse_hugepage_limit, &out->hugepage_limits,
                          &out->n_hugepage_limits, err);
}

static int
parse_priority (struct jr *r, yajl_val e, const char *ip, void *array, size_t i, tr_error_t *err)
{
  struct spec_net_priority *prio = (struct spec_net_priority *) array + i;
  if (jr_string (r, e, ip, "name", &prio->name, err) < 0 || jr_u32 (r, e, ip, "priority", &prio->priority, err) < 0)
    return -1;
  if (prio->name == NULL)
    return tr_error_plain (err, EINVAL, "%s.name: required", ip);
  return 0;
}

static int
parse_network (struct jr *r, yajl_val res, const char *path, struct spec_resources *out, tr_error_t *err)
{
  yajl_val o;
  int ret = jr_object (r, res, path, "network", &o, err);
  if (ret <= 0)
    return ret;
  const char *p = jr_path (r, path, "network");
  struct spec_network *n = jr_alloc (r, sizeof *n, p, err);
  if (n == NULL)
    return -1;
  out->network = n;
  if (jr_u64 (r, o, p, "classID", &n->class_id, err) < 0
      || JR_OBJECT_ARRAY (r, o, p, "priorities", parse_priority, &n->priorities, &n->n_priorities, err) < 0)
    return -1;
  return 0;
}

static int
parse_rdma (struct jr *r, yajl_val res, const char *path, struct spec_resources *out, tr_error_t *err)
{
  yajl_val o;
  int ret = jr_object (r, res, path, "rdma", &o, err);
  if (ret <= 0)
    return ret;
  const char *p = jr_path (r, path, "rdma");
  out->n_rdma = o->u.object.len;
  out->rdma = jr_alloc (r, (out->n_rdma + 1) * sizeof *out->rdma, p, err);
  if (out->rdma == NULL)
    return -1;
  for (size_t i = 0; i < out->n_rdma; i++)
    {
      const char *dev = o->u.object.keys[i];
      yajl_val e = o->u.object.values[i];
      const char *dp = jr_path (r, p, dev);
      if (!YAJL_IS_OBJECT (e))
        return jr_type_error (err, dp, "an object", e);
      out->rdma[i].device = arena_strdup (r->arena, dev);
      if (out->rdma[i].device == NULL)
        return tr_error (err, ENOMEM, "%s", dp);
      if (jr_u64 (r, e, dp, "hcaHandles", &out->rdma[i].hca_handles, err) < 0
          || jr_u64 (r, e, dp, "hcaObjects", &out->rdma[i].hca_objects, err) < 0)
        return -1;
    }
  return 0;
}

int
parse_resources (struct jr *r, yajl_val o, const char *path, struct spec_resources *res, tr_error_t *err)
{
  yajl_val pids;
  if (parse_device_rules (r, o, path, res, err) < 0 || parse_memory (r, o, path, res, err) < 0
      || parse_cpu (r, o, path, res, err) < 0 || parse_block_io (r, o, path, res, err) < 0
      || parse_hugepages (r, o, path, res, err) < 0 || parse_network (r, o, path, res, err) < 0
      || parse_rdma (r, o, path, res, err) < 0 || jr_strmap (r, o, path, "unified", &res->unified, err) < 0
      || jr_object (r, o, path, "pids", &pids, err) < 0)
    return -1;
  if (pids
      && (jr_i64 (r, pids, jr_path (r, path, "pids"), "limit", &res->pids_limit, err) < 0
          || check_limit (&res->pids_limit, jr_path (r, path, "pids"), "limit", err) < 0))
    return -1;
  return 0;
}

struct spec_resources *
spec_parse_resources_json (struct spec *spec, const char *text, size_t len, tr_error_t *err)
{
  yajl_val doc = jr_parse (text, len, "resources", JSON_MAX_SMALL, err);
  if (doc == NULL)
    return NULL;
  struct jr r = { .arena = &spec->arena };
  struct spec_resources *res = jr_alloc (&r, sizeof *res, "resources", err);
  int ret = res ? parse_resources (&r, doc, "", res, err) : -1;
  json_tree_free (doc);
  if (ret < 0)
    {
      tr_error_wrap (err, "resources");
      return NULL;
    }
  return res;
}
