/* config.json → struct spec: the document root, root, mounts, process and
 * hooks.  linux.* lives in spec_parse_linux.c and spec_parse_resources.c.
 * Unknown properties are ignored, as the runtime spec requires. */
#include "config.h"
#include "oci-spec/spec_parse_internal.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>


static int
parse_idmap (struct jr *r, yajl_val m, const char *path, void *array, size_t i, tr_error_t *err)
{
  struct spec_id_mapping *map = (struct spec_id_mapping *) array + i;
  if (jr_u32 (r, m, path, "containerID", &map->container_id, err) < 0
      || jr_u32 (r, m, path, "hostID", &map->host_id, err) < 0 || jr_u32 (r, m, path, "size", &map->size, err) < 0)
    return -1;
  if (map->size == 0)
    return tr_error_plain (err, EINVAL, "%s.size: must be greater than zero", path);
  /* The last id of each range, first + size - 1, must still be a 32-bit id. */
  if ((uint64_t) map->container_id + map->size > (uint64_t) UINT32_MAX + 1)
    return tr_error_plain (err, ERANGE, "%s: containerID + size overflows 2^32", path);
  if ((uint64_t) map->host_id + map->size > (uint64_t) UINT32_MAX + 1)
    return tr_error_plain (err, ERANGE, "%s: hostID + size overflows 2^32", path);
  return 0;
}

int
parse_idmaps (struct jr *r, yajl_val obj, const char *path, const char *key, idmaplist *out, tr_error_t *err)
{
  return JR_OBJECT_ARRAY (r, obj, path, key, parse_idmap, &out->v, &out->n, err);
}

static int
parse_root (struct jr *r, yajl_val doc, struct spec *spec, tr_error_t *err)
{
  yajl_val o;
  if (jr_object (r, doc, "", "root", &o, err) <= 0)
    return jr_get (doc, "root") ? -1 : 0;
  spec->root = jr_alloc (r, sizeof *spec->root, "root", err);
  if (spec->root == NULL)
    return -1;
  opt_bool ro = { 0 };
  if (jr_string (r, o, "root", "path", &spec->root->path, err) < 0 || jr_bool (r, o, "root", "readonly", &ro, err) < 0)
    return -1;
  spec->root->readonly = ro.v;
  if (spec->root->path == NULL || spec->root->path[0] == '\0')
    return tr_error_plain (err, EINVAL, "root.path: must not be empty");
  return 0;
}

static int
parse_mount (struct jr *r, yajl_val m, const char *p, void *array, size_t i, tr_error_t *err)
{
  struct spec_mount *mnt = (struct spec_mount *) array + i;
  if (jr_string (r, m, p, "destination", &mnt->destination, err) < 0
      || jr_string (r, m, p, "type", &mnt->type, err) < 0 || jr_string (r, m, p, "source", &mnt->source, err) < 0
      || jr_strlist (r, m, p, "options", &mnt->options, err) < 0
      || parse_idmaps (r, m, p, "uidMappings", &mnt->uid_mappings, err) < 0
      || parse_idmaps (r, m, p, "gidMappings", &mnt->gid_mappings, err) < 0)
    return -1;
  if (mnt->destination == NULL || mnt->destination[0] == '\0')
    return tr_error_plain (err, EINVAL, "%s.destination: required", p);
  return 0;
}

static int
parse_mounts (struct jr *r, yajl_val doc, struct spec *spec, tr_error_t *err)
{
  return JR_OBJECT_ARRAY (r, doc, "", "mounts", parse_mount, &spec->mounts, &spec->n_mounts, err);
}

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

int
spec_rlimit_from_name (const char *name)
{
  for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
    if (strcmp (rlimit_names[i].name, name) == 0)
      return rlimit_names[i].resource;
  return -1;
}

static int
parse_rlimit (struct jr *r, yajl_val o, const char *ip, void *array, size_t i, tr_error_t *err)
{
  struct spec_rlimit *all = array, *rl = &all[i];
  opt_u64 hard = { 0 }, soft = { 0 };
  if (jr_string (r, o, ip, "type", &rl->type, err) < 0 || jr_u64 (r, o, ip, "hard", &hard, err) < 0
      || jr_u64 (r, o, ip, "soft", &soft, err) < 0)
    return -1;
  if (rl->type == NULL)
    return tr_error_plain (err, EINVAL, "%s.type: required", ip);
  rl->resource = spec_rlimit_from_name (rl->type);
  if (rl->resource < 0)
    return tr_error_plain (err, EINVAL, "%s.type: unknown rlimit \"%s\"", ip, rl->type);
  for (size_t j = 0; j < i; j++)
    if (all[j].resource == rl->resource)
      return tr_error_plain (err, EINVAL, "%s.type: duplicate rlimit \"%s\"", ip, rl->type);
  rl->hard = hard.v;
  rl->soft = soft.v;
  return 0;
}

static int
parse_rlimits (struct jr *r, yajl_val proc, const char *path, struct spec_process *p, tr_error_t *err)
{
  return JR_OBJECT_ARRAY (r, proc, path, "rlimits", parse_rlimit, &p->rlimits, &p->n_rlimits, err);
}

static int
parse_user (struct jr *r, yajl_val proc, const char *path, struct spec_user *u, tr_error_t *err)
{
  yajl_val o, gids;
  int ret = jr_object (r, proc, path, "user", &o, err);
  if (ret <= 0)
    return ret;
  const char *up = jr_path (r, path, "user");
  if (jr_u32 (r, o, up, "uid", &u->uid, err) < 0 || jr_u32 (r, o, up, "gid", &u->gid, err) < 0
      || jr_u64 (r, o, up, "umask", &u->umask, err) < 0 || jr_string (r, o, up, "username", &u->username, err) < 0
      || jr_array (r, o, up, "additionalGids", &gids, err) < 0)
    return -1;
  if (u->umask.set && u->umask.v > 0777)
    return tr_error_plain (err, EINVAL, "%s.umask: %llu is not a valid umask", up, (unsigned long long) u->umask.v);
  if (gids)
    {
      const char *gp = jr_path (r, up, "additionalGids");
      u->n_additional_gids = gids->u.array.len;
      if (u->n_additional_gids > SPEC_MAX_ADDITIONAL_GIDS)
        return tr_error_plain (err, E2BIG, "%s: more than %d groups", gp, SPEC_MAX_ADDITIONAL_GIDS);
      u->additional_gids = jr_alloc (r, (u->n_additional_gids + 1) * sizeof (uint32_t), gp, err);
      if (u->additional_gids == NULL)
        return -1;
      for (size_t i = 0; i < u->n_additional_gids; i++)
        {
          uint64_t g;
          if (jr_value_u64 (gids->u.array.values[i], jr_index (r, gp, i), &g, err) < 0)
            return -1;
          if (g > UINT32_MAX)
            return tr_error_plain (err, ERANGE, "%s[%zu]: out of range", gp, i);
          u->additional_gids[i] = (uint32_t) g;
        }
    }
  return 0;
}

static int
parse_capabilities (struct jr *r, yajl_val proc, const char *path, struct spec_process *p, tr_error_t *err)
{
  yajl_val o;
  int ret = jr_object (r, proc, path, "capabilities", &o, err);
  if (ret <= 0)
    return ret;
  const char *cp = jr_path (r, path, "capabilities");
  struct spec_capabilities *c = jr_alloc (r, sizeof *c, cp, err);
  if (c == NULL)
    return -1;
  p->capabilities = c;
  if (jr_strlist (r, o, cp, "bounding", &c->bounding, err) < 0
      || jr_strlist (r, o, cp, "effective", &c->effective, err) < 0
      || jr_strlist (r, o, cp, "inheritable", &c->inheritable, err) < 0
      || jr_strlist (r, o, cp, "permitted", &c->permitted, err) < 0
      || jr_strlist (r, o, cp, "ambient", &c->ambient, err) < 0)
    return -1;
  return 0;
}

static int
parse_scheduling (struct jr *r, yajl_val proc, const char *path, struct spec_process *p, tr_error_t *err)
{
  yajl_val o;
  if (jr_object (r, proc, path, "scheduler", &o, err) < 0)
    return -1;
  if (o)
    {
      const char *sp = jr_path (r, path, "scheduler");
      struct spec_scheduler *s = jr_alloc (r, sizeof *s, sp, err);
      if (s == NULL)
        return -1;
      p->scheduler = s;
      if (jr_string (r, o, sp, "policy", &s->policy, err) < 0 || jr_i64 (r, o, sp, "nice", &s->nice, err) < 0
          || jr_i64 (r, o, sp, "priority", &s->priority, err) < 0
          || jr_strlist (r, o, sp, "flags", &s->flags, err) < 0
          || jr_u64 (r, o, sp, "runtime", &s->runtime, err) < 0
          || jr_u64 (r, o, sp, "deadline", &s->deadline, err) < 0
          || jr_u64 (r, o, sp, "period", &s->period, err) < 0)
        return -1;
      if (s->policy == NULL)
        return tr_error_plain (err, EINVAL, "%s.policy: required", sp);
    }
  if (jr_object (r, proc, path, "ioPriority", &o, err) < 0)
    return -1;
  if (o)
    {
      const char *ip = jr_path (r, path, "ioPriority");
      struct spec_io_priority *io = jr_alloc (r, sizeof *io, ip, err);
      if (io == NULL)
        return -1;
      opt_i64 prio = { 0 };
      p->io_priority = io;
      if (jr_string (r, o, ip, "class", &io->class_name, err) < 0 || jr_i64 (r, o, ip, "priority", &prio, err) < 0)
        return -1;
      if (io->class_name == NULL)
        return tr_error_plain (err, EINVAL, "%s.class: required", ip);
      io->priority = prio.v;
    }
  if (jr_object (r, proc, path, "execCPUAffinity", &o, err) < 0)
    return -1;
  if (o)
    {
      const char *ap = jr_path (r, path, "execCPUAffinity");
      struct spec_cpu_affinity *a = jr_alloc (r, sizeof *a, ap, err);
      if (a == NULL)
        return -1;
      p->exec_cpu_affinity = a;
      if (jr_string (r, o, ap, "initial", &a->initial, err) < 0 || jr_string (r, o, ap, "final", &a->final, err) < 0)
        return -1;
    }
  return 0;
}

int
parse_process (struct jr *r, yajl_val o, const char *path, struct spec_process *p, tr_error_t *err)
{
  yajl_val size;
  if (jr_bool (r, o, path, "terminal", &p->terminal, err) < 0 || jr_strlist (r, o, path, "args", &p->args, err) < 0
      || jr_strlist (r, o, path, "env", &p->env, err) < 0 || jr_string (r, o, path, "cwd", &p->cwd, err) < 0
      || jr_bool (r, o, path, "noNewPrivileges", &p->no_new_privileges, err) < 0
      || jr_string (r, o, path, "apparmorProfile", &p->apparmor_profile, err) < 0
      || jr_string (r, o, path, "selinuxLabel", &p->selinux_label, err) < 0
      || jr_i64 (r, o, path, "oomScoreAdj", &p->oom_score_adj, err) < 0
      || jr_object (r, o, path, "consoleSize", &size, err) < 0)
    return -1;
  if (size)
    {
      const char *sp = jr_path (r, path, "consoleSize");
      p->has_console_size = true;
      if (jr_u32 (r, size, sp, "height", &p->console_height, err) < 0
          || jr_u32 (r, size, sp, "width", &p->console_width, err) < 0)
        return -1;
    }
  if (parse_user (r, o, path, &p->user, err) < 0 || parse_rlimits (r, o, path, p, err) < 0
      || parse_capabilities (r, o, path, p, err) < 0 || parse_scheduling (r, o, path, p, err) < 0)
    return -1;
  if (p->cwd == NULL || p->cwd[0] != '/')
    return tr_error_plain (err, EINVAL, "%s: must be an absolute path", jr_path (r, path, "cwd"));
  if (p->args.n == 0)
    return tr_error_plain (err, EINVAL, "%s: must name the program to run", jr_path (r, path, "args"));
  if (p->oom_score_adj.set && (p->oom_score_adj.v < -1000 || p->oom_score_adj.v > 1000))
    return tr_error_plain (err, ERANGE, "%s: %lld is outside -1000..1000", jr_path (r, path, "oomScoreAdj"),
                     (long long) p->oom_score_adj.v);
  return 0;
}

static int
parse_hook (struct jr *r, yajl_val h, const char *hp, void *array, size_t i, tr_error_t *err)
{
  struct spec_hook *hook = (struct spec_hook *) array + i;
  if (jr_string (r, h, hp, "path", &hook->path, err) < 0 || jr_strlist (r, h, hp, "args", &hook->args, err) < 0
      || jr_strlist (r, h, hp, "env", &hook->env, err) < 0 || jr_i64 (r, h, hp, "timeout", &hook->timeout, err) < 0)
    return -1;
  if (hook->path == NULL || hook->path[0] != '/')
    return tr_error_plain (err, EINVAL, "%s.path: must be an absolute path", hp);
  if (hook->timeout.set && hook->timeout.v <= 0)
    return tr_error_plain (err, EINVAL, "%s.timeout: must be greater than zero", hp);
  /* The runtime waits with poll(), whose timeout is an int of milliseconds. */
  if (hook->timeout.set && hook->timeout.v > INT_MAX / 1000)
    return tr_error_plain (err, ERANGE, "%s.timeout: %lld s is more than %d s", hp, (long long) hook->timeout.v,
                           INT_MAX / 1000);
  return 0;
}

static int
parse_hook_list (struct jr *r, yajl_val hooks, const char *key, hooklist *out, tr_error_t *err)
{
  return JR_OBJECT_ARRAY (r, hooks, "hooks", key, parse_hook, &out->v, &out->n, err);
}

/* The hook lists of config.json, in the order the runtime spec runs them. */
static const struct
{
  const char *name;
  size_t offset; /* of the hooklist in struct spec_hooks */
} hook_lists[] = {
  { "prestart", offsetof (struct spec_hooks, prestart) },
  { "createRuntime", offsetof (struct spec_hooks, create_runtime) },
  { "createContainer", offsetof (struct spec_hooks, create_container) },
  { "startContainer", offsetof (struct spec_hooks, start_container) },
  { "poststart", offsetof (struct spec_hooks, poststart) },
  { "poststop", offsetof (struct spec_hooks, poststop) },
};

const char *
spec_hook_name (size_t i)
{
  return i < sizeof hook_lists / sizeof hook_lists[0] ? hook_lists[i].name : NULL;
}

static int
parse_hooks (struct jr *r, yajl_val doc, struct spec *spec, tr_error_t *err)
{
  yajl_val o;
  int ret = jr_object (r, doc, "", "hooks", &o, err);
  if (ret <= 0)
    return ret;
  struct spec_hooks *h = jr_alloc (r, sizeof *h, "hooks", err);
  if (h == NULL)
    return -1;
  spec->hooks = h;
  for (size_t i = 0; i < sizeof hook_lists / sizeof hook_lists[0]; i++)
    {
      hooklist *list = (hooklist *) ((char *) h + hook_lists[i].offset);
      if (parse_hook_list (r, o, hook_lists[i].name, list, err) < 0)
        return -1;
    }
  return 0;
}

static int
parse_document (struct jr *r, yajl_val doc, struct spec *spec, tr_error_t *err)
{
  yajl_val proc, lin;
  if (jr_string (r, doc, "", "ociVersion", &spec->oci_version, err) < 0
      || jr_string (r, doc, "", "hostname", &spec->hostname, err) < 0
      || jr_string (r, doc, "", "domainname", &spec->domainname, err) < 0
      || jr_strmap (r, doc, "", "annotations", &spec->annotations, err) < 0)
    return -1;
  if (spec->oci_version == NULL)
    return tr_error_plain (err, EINVAL, "ociVersion: required");
  if (parse_root (r, doc, spec, err) < 0 || parse_mounts (r, doc, spec, err) < 0 || parse_hooks (r, doc, spec, err) < 0)
    return -1;
  if (jr_object (r, doc, "", "process", &proc, err) < 0)
    return -1;
  if (proc)
    {
      spec->process = jr_alloc (r, sizeof *spec->process, "process", err);
      if (spec->process == NULL)
        return -1;
      if (parse_process (r, proc, "process", spec->process, err) < 0)
        return -1;
    }
  if (jr_object (r, doc, "", "linux", &lin, err) < 0)
    return -1;
  if (lin)
    {
      spec->linux_ = jr_alloc (r, sizeof *spec->linux_, "linux", err);
      if (spec->linux_ == NULL)
        return -1;
      if (parse_linux (r, lin, "linux", spec->linux_, err) < 0)
        return -1;
    }
  return 0;
}

struct spec *
spec_parse (const char *text, size_t len, tr_error_t *err)
{
  yajl_val doc = jr_parse (text, len, "config.json", JSON_MAX_CONFIG, err);
  if (doc == NULL)
    return NULL;
  struct spec *spec = calloc (1, sizeof *spec);
  if (spec == NULL)
    {
      json_tree_free (doc);
      tr_error (err, ENOMEM, "parse config.json");
      return NULL;
    }
  struct jr r = { .arena = &spec->arena };
  int ret = parse_document (&r, doc, spec, err);
  json_tree_free (doc);
  if (ret < 0)
    {
      tr_error_wrap (err, "config.json");
      spec_free (spec);
      return NULL;
    }
  return spec;
}

struct spec_process *
spec_parse_process_json (struct spec *spec, const char *text, size_t len, tr_error_t *err)
{
  yajl_val doc = jr_parse (text, len, "process.json", JSON_MAX_SMALL, err);
  if (doc == NULL)
    return NULL;
  struct jr r = { .arena = &spec->arena };
  struct spec_process *p = jr_alloc (&r, sizeof *p, "process.json", err);
  int ret = p ? parse_process (&r, doc, "", p, err) : -1;
  json_tree_free (doc);
  if (ret < 0)
    {
      tr_error_wrap (err, "process.json");
      return NULL;
    }
  return p;
}
