/* config.json "linux" object: namespaces, id mappings, devices, sysctl,
 * paths, seccomp, personality, intelRdt, time offsets, memoryPolicy,
 * netDevices. */
#include "config.h"
#include "oci-spec/spec_parse_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const ns_names[NS_COUNT] = {
  [NS_PID] = "pid",     [NS_NETWORK] = "network", [NS_MOUNT] = "mount", [NS_IPC] = "ipc",
  [NS_UTS] = "uts",     [NS_USER] = "user",       [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

const char *
spec_ns_name (enum spec_ns_type type)
{
  return (unsigned) type < NS_COUNT ? ns_names[type] : "?";
}

int
spec_ns_type_from_name (const char *name)
{
  for (int i = 0; i < NS_COUNT; i++)
    if (strcmp (ns_names[i], name) == 0)
      return i;
  return -1;
}

static int
parse_namespace (struct jr *r, yajl_val o, const char *ip, void *array, size_t i, tr_error_t *err)
{
  struct spec_namespace *all = array, *ns = &all[i];
  char *type = NULL;
  if (jr_string (r, o, ip, "type", &type, err) < 0 || jr_string (r, o, ip, "path", &ns->path, err) < 0)
    return -1;
  if (type == NULL)
    return tr_error_plain (err, EINVAL, "%s.type: required", ip);
  int t = spec_ns_type_from_name (type);
  if (t < 0)
    return tr_error_plain (err, EINVAL, "%s.type: unknown namespace type \"%s\"", ip, type);
  for (size_t j = 0; j < i; j++)
    if ((int) all[j].type == t)
      return tr_error_plain (err, EINVAL, "%s.type: duplicate namespace \"%s\"", ip, type);
  ns->type = (enum spec_ns_type) t;
  if (ns->path && ns->path[0] == '\0')
    ns->path = NULL;
  else if (ns->path && ns->path[0] != '/')
    return tr_error_plain (err, EINVAL, "%s.path: must be an absolute path", ip);
  return 0;
}

static int
parse_namespaces (struct jr *r, yajl_val lin, const char *path, struct spec_linux *l, tr_error_t *err)
{
  return JR_OBJECT_ARRAY (r, lin, path, "namespaces", parse_namespace, &l->namespaces, &l->n_namespaces, err);
}

static int
parse_time_offset (struct jr *r, yajl_val offsets, const char *path, const char *key, struct spec_time_offset *out,
                   tr_error_t *err)
{
  yajl_val o;
  int ret = jr_object (r, offsets, path, key, &o, err);
  if (ret <= 0)
    return ret;
  const char *p = jr_path (r, path, key);
  opt_i64 secs = { 0 };
  uint32_t nsecs = 0;
  if (jr_i64 (r, o, p, "secs", &secs, err) < 0 || jr_u32 (r, o, p, "nanosecs", &nsecs, err) < 0)
    return -1;
  if (nsecs >= 1000000000u)
    return tr_error_plain (err, ERANGE, "%s.nanosecs: must be below 1000000000", p);
  out->set = true;
  out->secs = secs.v;
  out->nanosecs = nsecs;
  return 0;
}

static int
parse_device (struct jr *r, yajl_val o, const char *ip, void *array, size_t i, tr_error_t *err)
{
  struct spec_device *d = (struct spec_device *) array + i;
  opt_i64 major = { 0 }, minor = { 0 };
  if (jr_string (r, o, ip, "type", &d->type, err) < 0 || jr_string (r, o, ip, "path", &d->path, err) < 0
      || jr_i64 (r, o, ip, "major", &major, err) < 0 || jr_i64 (r, o, ip, "minor", &minor, err) < 0
      || jr_u64 (r, o, ip, "fileMode", &d->file_mode, err) < 0 || jr_u64 (r, o, ip, "uid", &d->uid, err) < 0
      || jr_u64 (r, o, ip, "gid", &d->gid, err) < 0)
    return -1;
  if (d->path == NULL || d->path[0] != '/')
    return tr_error_plain (err, EINVAL, "%s.path: must be an absolute path", ip);
  if (d->type == NULL || strlen (d->type) != 1 || strchr ("cbup", d->type[0]) == NULL)
    return tr_error_plain (err, EINVAL, "%s.type: must be one of c, b, u, p", ip);
  if (d->type[0] != 'p' && (!major.set || !minor.set))
    return tr_error_plain (err, EINVAL, "%s: major and minor are required for type %s", ip, d->type);
  if (check_dev_number (&major, ip, "major", err) < 0 || check_dev_number (&minor, ip, "minor", err) < 0)
    return -1;
  d->major = major.v;
  d->minor = minor.v;
  return 0;
}

static int
parse_devices (struct jr *r, yajl_val lin, const char *path, struct spec_linux *l, tr_error_t *err)
{
  return JR_OBJECT_ARRAY (r, lin, path, "devices", parse_device, &l->devices, &l->n_devices, err);
}

static int
parse_seccomp_arg (struct jr *r, yajl_val o, const char *ip, void *array, size_t i, tr_error_t *err)
{
  struct spec_seccomp_arg *a = (struct spec_seccomp_arg *) array + i;
  opt_u64 value = { 0 }, value_two = { 0 };
  if (jr_u32 (r, o, ip, "index", &a->index, err) < 0 || jr_u64 (r, o, ip, "value", &value, err) < 0
      || jr_u64 (r, o, ip, "valueTwo", &value_two, err) < 0 || jr_string (r, o, ip, "op", &a->op, err) < 0)
    return -1;
  if (a->op == NULL)
    return tr_error_plain (err, EINVAL, "%s.op: required", ip);
  a->value = value.v;
  a->value_two = value_two.v;
  return 0;
}

static int
parse_seccomp_syscall (struct jr *r, yajl_val sc, const char *ip, void *array, size_t i, tr_error_t *err)
{
  struct spec_seccomp_syscall *c = (struct spec_seccomp_syscall *) array + i;
  if (jr_strlist (r, sc, ip, "names", &c->names, err) < 0 || jr_string (r, sc, ip, "action", &c->action, err) < 0
      || jr_u64 (r, sc, ip, "errnoRet", &c->errno_ret, err) < 0
      || JR_OBJECT_ARRAY (r, sc, ip, "args", parse_seccomp_arg, &c->args, &c->n_args, err) < 0)
    return -1;
  if (c->names.n == 0)
    return tr_error_plain (err, EINVAL, "%s.names: must list at least one syscall", ip);
  if (c->action == NULL)
    return tr_error_plain (err, EINVAL, "%s.action: required", ip);
  if (c->errno_ret.set && c->errno_ret.v > SPEC_MAX_ERRNO)
    return tr_error_plain (err, ERANGE, "%s.errnoRet: %llu is more than %d", ip, (unsigned long long) c->errno_ret.v,
                           SPEC_MAX_ERRNO);
  return 0;
}

int
parse_seccomp (struct jr *r, yajl_val o, const char *path, struct spec_seccomp *s, tr_error_t *err)
{
  if (jr_string (r, o, path, "defaultAction", &s->default_action, err) < 0
      || jr_u64 (r, o, path, "defaultErrnoRet", &s->default_errno_ret, err) < 0
      || jr_strlist (r, o, path, "architectures", &s->architectures, err) < 0
      || jr_strlist (r, o, path, "flags", &s->flags, err) < 0
      || jr_string (r, o, path, "listenerPath", &s->listener_path, err) < 0
      || jr_string (r, o, path, "listenerMetadata", &s->listener_metadata, err) < 0)
    return -1;
  if (s->default_errno_ret.set && s->default_errno_ret.v > SPEC_MAX_ERRNO)
    return tr_error_plain (err, ERANGE, "%s.defaultErrnoRet: %llu is more than %d", path,
                           (unsigned long long) s->default_errno_ret.v, SPEC_MAX_ERRNO);
  /* Order of the errors: "syscalls" not an array, then a missing
   * defaultAction, then a malformed syscall. */
  yajl_val arr;
  if (jr_array (r, o, path, "syscalls", &arr, err) < 0)
    return -1;
  if (s->default_action == NULL)
    return tr_error_plain (err, EINVAL, "%s.defaultAction: required", path);
  if (JR_OBJECT_ARRAY (r, o, path, "syscalls", parse_seccomp_syscall, &s->syscalls, &s->n_syscalls, err) < 0)
    return -1;
  return 0;
}

/* Indexed by enum spec_mpol_mode. */
static const char *const mpol_modes[] = {
  [SPEC_MPOL_DEFAULT] = "MPOL_DEFAULT",
  [SPEC_MPOL_PREFERRED] = "MPOL_PREFERRED",
  [SPEC_MPOL_BIND] = "MPOL_BIND",
  [SPEC_MPOL_INTERLEAVE] = "MPOL_INTERLEAVE",
  [SPEC_MPOL_LOCAL] = "MPOL_LOCAL",
  [SPEC_MPOL_PREFERRED_MANY] = "MPOL_PREFERRED_MANY",
  [SPEC_MPOL_WEIGHTED_INTERLEAVE] = "MPOL_WEIGHTED_INTERLEAVE",
};

static const struct
{
  const char *name;
  unsigned value;
} mpol_flags[] = {
  { "MPOL_F_NUMA_BALANCING", SPEC_MPOL_F_NUMA_BALANCING },
  { "MPOL_F_RELATIVE_NODES", SPEC_MPOL_F_RELATIVE_NODES },
  { "MPOL_F_STATIC_NODES", SPEC_MPOL_F_STATIC_NODES },
};

const char *
spec_mpol_mode_name (size_t i)
{
  return i < sizeof mpol_modes / sizeof mpol_modes[0] ? mpol_modes[i] : NULL;
}

const char *
spec_mpol_flag_name (size_t i)
{
  return i < sizeof mpol_flags / sizeof mpol_flags[0] ? mpol_flags[i].name : NULL;
}

/* One node number of a node list; *text moves past it. */
static int
parse_node (const char **text, unsigned long *out)
{
  char *end;
  if (**text < '0' || **text > '9')
    return -1;
  errno = 0;
  *out = strtoul (*text, &end, 10);
  if (errno || *out >= SPEC_MPOL_MAX_NODES)
    return -1;
  *text = end;
  return 0;
}

/* "0-3,7" (cpuset's list format) into a bit per node; "" is no node. */
static int
parse_node_list (const char *text, const char *path, struct spec_memory_policy *mp, tr_error_t *err)
{
  const size_t bits = 8 * sizeof mp->nodes[0];
  const char *p = text;
  while (*p)
    {
      unsigned long first, last;
      if (parse_node (&p, &first) < 0)
        return tr_error_plain (err, EINVAL, "%s.nodes: \"%s\" is not a list of nodes below %d (like \"0-3,7\")",
                               path, text, SPEC_MPOL_MAX_NODES);
      last = first;
      if (*p == '-' && (p++, parse_node (&p, &last) < 0 || last < first))
        return tr_error_plain (err, EINVAL, "%s.nodes: \"%s\" has a bad range", path, text);
      if (*p != '\0' && (*p != ',' || p[1] == '\0'))
        return tr_error_plain (err, EINVAL, "%s.nodes: \"%s\" is not a list of nodes below %d (like \"0-3,7\")",
                               path, text, SPEC_MPOL_MAX_NODES);
      if (*p == ',')
        p++;
      for (unsigned long n = first; n <= last; n++)
        mp->nodes[n / bits] |= 1UL << (n % bits);
      mp->any_node = true;
    }
  return 0;
}

static int
parse_mpol_flags (const strlist *flags, const char *path, struct spec_memory_policy *mp, tr_error_t *err)
{
  for (size_t i = 0; i < flags->n; i++)
    {
      size_t f = 0;
      while (f < sizeof mpol_flags / sizeof mpol_flags[0] && strcmp (mpol_flags[f].name, flags->v[i]) != 0)
        f++;
      if (f == sizeof mpol_flags / sizeof mpol_flags[0])
        return tr_error_plain (err, EINVAL, "%s.flags[%zu]: unknown flag \"%s\"", path, i, flags->v[i]);
      mp->flags |= mpol_flags[f].value;
    }
  if ((mp->flags & SPEC_MPOL_F_STATIC_NODES) && (mp->flags & SPEC_MPOL_F_RELATIVE_NODES))
    return tr_error_plain (err, EINVAL, "%s.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other",
                           path);
  return 0;
}

/* The nodes a mode needs (set_mempolicy(2)): none for the default and
 * local policies, at least one for those that choose among nodes;
 * MPOL_PREFERRED with none means local allocation. */
static int
check_mpol_nodes (const struct spec_memory_policy *mp, const char *path, tr_error_t *err)
{
  bool none = mp->mode == SPEC_MPOL_DEFAULT || mp->mode == SPEC_MPOL_LOCAL;
  if (none && mp->any_node)
    return tr_error_plain (err, EINVAL, "%s.nodes: %s takes no nodes", path, mpol_modes[mp->mode]);
  if (!none && mp->mode != SPEC_MPOL_PREFERRED && !mp->any_node)
    return tr_error_plain (err, EINVAL, "%s.nodes: %s needs at least one node", path, mpol_modes[mp->mode]);
  return 0;
}

static int
parse_memory_policy (struct jr *r, yajl_val lin, const char *path, struct spec_linux *l, tr_error_t *err)
{
  yajl_val o;
  if (jr_object (r, lin, path, "memoryPolicy", &o, err) < 0)
    return -1;
  if (o == NULL)
    return 0;
  const char *p = jr_path (r, path, "memoryPolicy");
  struct spec_memory_policy *mp = jr_alloc (r, sizeof *mp, p, err);
  char *mode = NULL, *nodes = NULL;
  strlist flags = { 0 };
  if (mp == NULL || jr_string (r, o, p, "mode", &mode, err) < 0 || jr_string (r, o, p, "nodes", &nodes, err) < 0
      || jr_strlist (r, o, p, "flags", &flags, err) < 0)
    return -1;
  if (mode == NULL)
    return tr_error_plain (err, EINVAL, "%s.mode: required", p);
  size_t m = 0;
  while (spec_mpol_mode_name (m) && strcmp (mpol_modes[m], mode) != 0)
    m++;
  if (spec_mpol_mode_name (m) == NULL)
    return tr_error_plain (err, EINVAL, "%s.mode: unknown mode \"%s\"", p, mode);
  mp->mode = (enum spec_mpol_mode) m;
  if ((nodes && parse_node_list (nodes, p, mp, err) < 0) || parse_mpol_flags (&flags, p, mp, err) < 0
      || check_mpol_nodes (mp, p, err) < 0)
    return -1;
  l->memory_policy = mp;
  return 0;
}

/* linux.netDevices: {"<host name>": {"name": "<name inside>"}}. */
static int
parse_net_devices (struct jr *r, yajl_val lin, const char *path, struct spec_linux *l, tr_error_t *err)
{
  yajl_val map;
  int present = jr_object (r, lin, path, "netDevices", &map, err);
  if (present <= 0)
    return present;
  const char *p = jr_path (r, path, "netDevices");
  size_t n = map->u.object.len;
  kvlist *out = &l->net_devices;
  out->v = jr_alloc (r, (n + 1) * sizeof *out->v, p, err);
  if (out->v == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const char *k = map->u.object.keys[i], *ep = jr_path (r, p, k);
      yajl_val v = map->u.object.values[i];
      if (v == NULL || !YAJL_IS_OBJECT (v))
        return jr_type_error (err, ep, "an object", v);
      out->v[i].key = arena_strdup (r->arena, k);
      if (out->v[i].key == NULL)
        return tr_error (err, ENOMEM, "%s", ep);
      if (jr_string (r, v, ep, "name", &out->v[i].value, err) < 0)
        return -1;
      if (out->v[i].value == NULL || out->v[i].value[0] == '\0')
        out->v[i].value = out->v[i].key;
    }
  out->n = n;
  return 0;
}

static int
parse_linux_extras (struct jr *r, yajl_val lin, const char *path, struct spec_linux *l, tr_error_t *err)
{
  yajl_val o;
  if (parse_memory_policy (r, lin, path, l, err) < 0 || parse_net_devices (r, lin, path, l, err) < 0
      || jr_object (r, lin, path, "intelRdt", &o, err) < 0)
    return -1;
  if (o)
    {
      const char *p = jr_path (r, path, "intelRdt");
      struct spec_intel_rdt *rdt = jr_alloc (r, sizeof *rdt, p, err);
      if (rdt == NULL)
        return -1;
      l->intel_rdt = rdt;
      if (jr_string (r, o, p, "closID", &rdt->clos_id, err) < 0
          || jr_string (r, o, p, "l3CacheSchema", &rdt->l3_cache_schema, err) < 0
          || jr_string (r, o, p, "memBwSchema", &rdt->mem_bw_schema, err) < 0
          || jr_strlist (r, o, p, "schemata", &rdt->schemata, err) < 0
          || jr_bool (r, o, p, "enableMonitoring", &rdt->enable_monitoring, err) < 0
          || jr_bool (r, o, p, "enableCMT", &rdt->enable_cmt, err) < 0
          || jr_bool (r, o, p, "enableMBM", &rdt->enable_mbm, err) < 0)
        return -1;
    }
  if (jr_object (r, lin, path, "personality", &o, err) < 0)
    return -1;
  if (o)
    {
      const char *p = jr_path (r, path, "personality");
      struct spec_personality *pers = jr_alloc (r, sizeof *pers, p, err);
      if (pers == NULL)
        return -1;
      l->personality = pers;
      if (jr_string (r, o, p, "domain", &pers->domain, err) < 0 || jr_strlist (r, o, p, "flags", &pers->flags, err) < 0)
        return -1;
      if (pers->domain == NULL)
        return tr_error_plain (err, EINVAL, "%s.domain: required", p);
    }
  if (jr_object (r, lin, path, "seccomp", &o, err) < 0)
    return -1;
  if (o)
    {
      l->seccomp = jr_alloc (r, sizeof *l->seccomp, jr_path (r, path, "seccomp"), err);
      if (l->seccomp == NULL)
        return -1;
      if (parse_seccomp (r, o, jr_path (r, path, "seccomp"), l->seccomp, err) < 0)
        return -1;
    }
  if (jr_object (r, lin, path, "timeOffsets", &o, err) < 0)
    return -1;
  if (o)
    {
      const char *p = jr_path (r, path, "timeOffsets");
      if (parse_time_offset (r, o, p, "monotonic", &l->time_monotonic, err) < 0
          || parse_time_offset (r, o, p, "boottime", &l->time_boottime, err) < 0)
        return -1;
    }
  return 0;
}

int
parse_linux (struct jr *r, yajl_val o, const char *path, struct spec_linux *l, tr_error_t *err)
{
  yajl_val res;
  if (parse_namespaces (r, o, path, l, err) < 0 || parse_idmaps (r, o, path, "uidMappings", &l->uid_mappings, err) < 0
      || parse_idmaps (r, o, path, "gidMappings", &l->gid_mappings, err) < 0 || parse_devices (r, o, path, l, err) < 0
      || jr_string (r, o, path, "cgroupsPath", &l->cgroups_path, err) < 0
      || jr_strmap (r, o, path, "sysctl", &l->sysctl, err) < 0
      || jr_string (r, o, path, "rootfsPropagation", &l->rootfs_propagation, err) < 0
      || jr_strlist (r, o, path, "maskedPaths", &l->masked_paths, err) < 0
      || jr_strlist (r, o, path, "readonlyPaths", &l->readonly_paths, err) < 0
      || jr_string (r, o, path, "mountLabel", &l->mount_label, err) < 0 || parse_linux_extras (r, o, path, l, err) < 0
      || jr_object (r, o, path, "resources", &res, err) < 0)
    return -1;
  if (res)
    {
      l->resources = jr_alloc (r, sizeof *l->resources, jr_path (r, path, "resources"), err);
      if (l->resources == NULL)
        return -1;
      if (parse_resources (r, res, jr_path (r, path, "resources"), l->resources, err) < 0)
        return -1;
    }
  return 0;
}
