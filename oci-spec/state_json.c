#include "config.h"
#include "oci-spec/state_json.h"
#include "oci-spec/json_read.h"
#include "oci-spec/json_write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#define OCI_VERSION "1.2.0"

static void
gen_annotations (yajl_gen g, const kvlist *a)
{
  jw_str (g, "annotations");
  yajl_gen_map_open (g);
  for (size_t i = 0; i < a->n; i++)
    jw_kv (g, a->v[i].key, a->v[i].value);
  yajl_gen_map_close (g);
}

static char *
gen_finish (yajl_gen g, size_t *len, tr_error_t *err)
{
  return jw_finish (g, len, "encode state", err);
}

char *
state_json_oci (const struct container_state *st, const char *status, size_t *len, tr_error_t *err)
{
  yajl_gen g = jw_new (true, "encode state", err);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  jw_kv (g, "ociVersion", OCI_VERSION);
  jw_kv (g, "id", st->id);
  jw_kv (g, "status", status);
  /* The spec: pid is REQUIRED when created or running, absent otherwise. */
  if (strcmp (status, "stopped") != 0)
    {
      jw_str (g, "pid");
      yajl_gen_integer (g, st->pid);
    }
  jw_kv (g, "bundle", st->bundle);
  gen_annotations (g, &st->annotations);
  yajl_gen_map_close (g);
  return gen_finish (g, len, err);
}

char *
state_json_encode (const struct container_state *st, size_t *len, tr_error_t *err)
{
  yajl_gen g = jw_new (false, "encode state", err);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  jw_kv (g, "ociVersion", OCI_VERSION);
  jw_kv (g, "id", st->id);
  jw_str (g, "pid");
  yajl_gen_integer (g, st->pid);
  jw_str (g, "startTime");
  yajl_gen_integer (g, (long long) st->start_time);
  jw_kv (g, "bundle", st->bundle);
  jw_kv (g, "rootfs", st->rootfs);
  jw_kv (g, "created", st->created);
  jw_kv (g, "owner", st->owner);
  jw_kv (g, "cgroupPath", st->cgroup_path);
  jw_kv (g, "cgroupTop", st->cgroup_top);
  jw_str (g, "systemdCgroup");
  yajl_gen_bool (g, st->systemd_cgroup);
  jw_str (g, "pidNamespaceShared");
  yajl_gen_bool (g, st->pid_ns_shared);
  jw_str (g, "mountNamespaceShared");
  yajl_gen_bool (g, st->mount_ns_shared);
  if (st->creating)
    {
      jw_str (g, "creating");
      yajl_gen_bool (g, true);
      jw_str (g, "creatorPid");
      yajl_gen_integer (g, st->creator_pid);
      jw_str (g, "creatorStartTime");
      yajl_gen_integer (g, (long long) st->creator_start_time);
    }
  jw_str (g, "createHooksRun");
  yajl_gen_bool (g, st->create_hooks_run);
  jw_str (g, "poststopHooks");
  yajl_gen_bool (g, !st->no_poststop_hooks);
  jw_str (g, "poststartHooks");
  yajl_gen_bool (g, !st->no_poststart_hooks);
  gen_annotations (g, &st->annotations);
  yajl_gen_map_close (g);
  return gen_finish (g, len, err);
}

/* The fields of a record that a `create` may have left half-written. */
static int
decode_creating (struct jr *r, yajl_val doc, struct container_state *st, tr_error_t *err)
{
  opt_bool creating = { 0 }, hooks = { 0 }, poststop = { 0 }, poststart = { 0 };
  opt_i64 creator = { 0 };
  opt_u64 creator_start = { 0 };
  if (jr_bool (r, doc, "", "creating", &creating, err) < 0 || jr_i64 (r, doc, "", "creatorPid", &creator, err) < 0
      || jr_u64 (r, doc, "", "creatorStartTime", &creator_start, err) < 0
      || jr_bool (r, doc, "", "createHooksRun", &hooks, err) < 0
      || jr_bool (r, doc, "", "poststopHooks", &poststop, err) < 0
      || jr_bool (r, doc, "", "poststartHooks", &poststart, err) < 0)
    return -1;
  st->creating = creating.v;
  st->creator_pid = (pid_t) creator.v;
  st->creator_start_time = creator_start.v;
  st->create_hooks_run = hooks.v;
  st->no_poststop_hooks = poststop.set && !poststop.v;
  st->no_poststart_hooks = poststart.set && !poststart.v;
  return 0;
}

int
state_json_decode (const char *text, size_t len, struct container_state *st, tr_error_t *err)
{
  yajl_val doc = jr_parse (text, len, "state.json", JSON_MAX_CONFIG, err);
  if (doc == NULL)
    return -1;
  struct jr r = { .arena = &st->arena };
  opt_i64 pid = { 0 };
  opt_u64 start = { 0 };
  opt_bool systemd = { 0 }, shared = { 0 }, mnt_shared = { 0 };
  int ret = 0;
  if (jr_string (&r, doc, "", "id", &st->id, err) < 0 || jr_i64 (&r, doc, "", "pid", &pid, err) < 0
      || jr_u64 (&r, doc, "", "startTime", &start, err) < 0 || jr_string (&r, doc, "", "bundle", &st->bundle, err) < 0
      || jr_string (&r, doc, "", "rootfs", &st->rootfs, err) < 0
      || jr_string (&r, doc, "", "created", &st->created, err) < 0
      || jr_string (&r, doc, "", "owner", &st->owner, err) < 0
      || jr_string (&r, doc, "", "cgroupPath", &st->cgroup_path, err) < 0
      || jr_string (&r, doc, "", "cgroupTop", &st->cgroup_top, err) < 0
      || jr_bool (&r, doc, "", "systemdCgroup", &systemd, err) < 0
      || jr_bool (&r, doc, "", "pidNamespaceShared", &shared, err) < 0
      || jr_bool (&r, doc, "", "mountNamespaceShared", &mnt_shared, err) < 0
      || jr_strmap (&r, doc, "", "annotations", &st->annotations, err) < 0
      || decode_creating (&r, doc, st, err) < 0)
    ret = tr_error_wrap (err, "state.json");
  json_tree_free (doc);
  if (ret < 0)
    return -1;
  if (st->id == NULL || !pid.set)
    return tr_error_plain (err, EINVAL, "state.json: id and pid are required");
  st->pid = (pid_t) pid.v;
  st->start_time = start.v;
  st->systemd_cgroup = systemd.v;
  st->pid_ns_shared = shared.v;
  st->mount_ns_shared = mnt_shared.v;
  return 0;
}

void
container_state_clear (struct container_state *st)
{
  arena_free (&st->arena);
  memset (st, 0, sizeof *st);
}
