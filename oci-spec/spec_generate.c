/* `tinyrun spec --rootfs`: the default document, re-emitted with the
 * caller's choices.  The defaults stay in one place (spec_default.c): this
 * walks their tree and replaces or adds only the members in `edits`. */
#include "config.h"
#include "oci-spec/json_write.h"
#include "oci-spec/spec_default.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#define RESOLV_CONF "/etc/resolv.conf"

static void emit (yajl_gen g, yajl_val v, const char *path, const struct spec_options *o);

static void
emit_strings (yajl_gen g, const char *const *s, size_t n)
{
  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    jw_str (g, s[i]);
  yajl_gen_array_close (g);
}

static void
emit_args (yajl_gen g, yajl_val v, const struct spec_options *o)
{
  if (o->n_args == 0)
    {
      emit (g, v, "process.args", o);
      return;
    }
  emit_strings (g, (const char *const *) o->args, o->n_args);
}

/* Is "K=..." replaced by one of o->env? */
static bool
env_replaced (const char *entry, const struct spec_options *o)
{
  const char *eq = strchr (entry, '=');
  size_t klen = eq ? (size_t) (eq - entry) : strlen (entry);
  for (size_t i = 0; i < o->n_env; i++)
    if (strncmp (o->env[i], entry, klen) == 0 && (o->env[i][klen] == '=' || o->env[i][klen] == '\0'))
      return true;
  return false;
}

static void
emit_env (yajl_gen g, yajl_val v, const struct spec_options *o)
{
  yajl_gen_array_open (g);
  for (size_t i = 0; YAJL_IS_ARRAY (v) && i < v->u.array.len; i++)
    if (YAJL_IS_STRING (v->u.array.values[i]) && !env_replaced (v->u.array.values[i]->u.string, o))
      jw_str (g, v->u.array.values[i]->u.string);
  for (size_t i = 0; i < o->n_env; i++)
    jw_str (g, o->env[i]);
  yajl_gen_array_close (g);
}

static void
emit_int (yajl_gen g, const char *key, long long n)
{
  jw_str (g, key);
  yajl_gen_integer (g, n);
}

/* linux.resources: the default device rules, and the limits. */
static void
resources_extra (yajl_gen g, const struct spec_options *o)
{
  if (o->memory > 0)
    {
      jw_str (g, "memory");
      yajl_gen_map_open (g);
      emit_int (g, "limit", o->memory);
      yajl_gen_map_close (g);
    }
  if (o->pids > 0)
    {
      jw_str (g, "pids");
      yajl_gen_map_open (g);
      emit_int (g, "limit", o->pids);
      yajl_gen_map_close (g);
    }
  if (o->cpu_quota > 0)
    {
      jw_str (g, "cpu");
      yajl_gen_map_open (g);
      emit_int (g, "quota", o->cpu_quota);
      emit_int (g, "period", 100000);
      yajl_gen_map_close (g);
    }
}

/* The host network: no network namespace. */
static void
emit_namespaces (yajl_gen g, yajl_val v, const struct spec_options *o)
{
  yajl_gen_array_open (g);
  for (size_t i = 0; YAJL_IS_ARRAY (v) && i < v->u.array.len; i++)
    {
      yajl_val type = yajl_tree_get (v->u.array.values[i], (const char *[]){ "type", NULL }, yajl_t_string);
      if (o->net == SPEC_NET_HOST && type && strcmp (type->u.string, "network") == 0)
        continue;
      emit (g, v->u.array.values[i], "linux.namespaces[]", o);
    }
  yajl_gen_array_close (g);
}

/* The host's /etc/resolv.conf, read-only: with the host network it is the
 * container's resolver; on a bridge, tinyrun-net binds the container's own
 * over it (and the rootfs needs no /etc/resolv.conf of its own). */
static void
emit_mounts (yajl_gen g, yajl_val v, const struct spec_options *o)
{
  yajl_gen_array_open (g);
  for (size_t i = 0; YAJL_IS_ARRAY (v) && i < v->u.array.len; i++)
    emit (g, v->u.array.values[i], "mounts[]", o);
  if (o->net != SPEC_NET_NONE)
    {
      yajl_gen_map_open (g);
      jw_kv (g, "destination", RESOLV_CONF);
      jw_kv (g, "type", "bind");
      jw_kv (g, "source", "/etc/resolv.conf");
      jw_str (g, "options");
      emit_strings (g, (const char *[]){ "rbind", "ro", "nosuid", "nodev", "noexec" }, 5);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
}

static void
emit_hook (yajl_gen g, const struct spec_options *o, bool up)
{
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  jw_kv (g, "path", o->net_hook);
  jw_str (g, "args");
  yajl_gen_array_open (g);
  jw_str (g, "tinyrun-net");
  jw_str (g, up ? "up" : "down");
  /* `down` needs only the bridge. */
  for (size_t i = 0; i + 1 < o->n_net_args; i += 2)
    if (up || strcmp (o->net_args[i], "--bridge") == 0)
      {
        jw_str (g, o->net_args[i]);
        jw_str (g, o->net_args[i + 1]);
      }
  for (size_t i = 0; up && i < o->n_publish; i++)
    {
      jw_str (g, "--publish");
      jw_str (g, o->publish[i]);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);
}

/* The document's root: the network hooks. */
static void
root_extra (yajl_gen g, const struct spec_options *o)
{
  if (o->net != SPEC_NET_BRIDGE)
    return;
  jw_str (g, "hooks");
  yajl_gen_map_open (g);
  jw_str (g, "createRuntime");
  emit_hook (g, o, true);
  jw_str (g, "poststop");
  emit_hook (g, o, false);
  yajl_gen_map_close (g);
}

/* Members replaced (by path); returns true when it wrote the value. */
static bool
edit (yajl_gen g, yajl_val v, const char *path, const struct spec_options *o)
{
  if (strcmp (path, "process.args") == 0)
    emit_args (g, v, o);
  else if (strcmp (path, "process.env") == 0)
    emit_env (g, v, o);
  else if (strcmp (path, "process.terminal") == 0)
    yajl_gen_bool (g, o->terminal);
  else if (strcmp (path, "root.path") == 0)
    jw_str (g, o->rootfs);
  else if (strcmp (path, "root.readonly") == 0)
    yajl_gen_bool (g, o->readonly);
  else if (strcmp (path, "hostname") == 0 && o->hostname)
    jw_str (g, o->hostname);
  else if (strcmp (path, "linux.namespaces") == 0)
    emit_namespaces (g, v, o);
  else if (strcmp (path, "mounts") == 0)
    emit_mounts (g, v, o);
  else
    return false;
  return true;
}

static void
emit_map (yajl_gen g, yajl_val v, const char *path, const struct spec_options *o)
{
  yajl_gen_map_open (g);
  for (size_t i = 0; i < v->u.object.len; i++)
    {
      char sub[256];
      snprintf (sub, sizeof sub, "%s%s%s", path, *path ? "." : "", v->u.object.keys[i]);
      jw_str (g, v->u.object.keys[i]);
      if (!edit (g, v->u.object.values[i], sub, o))
        emit (g, v->u.object.values[i], sub, o);
    }
  if (*path == '\0')
    root_extra (g, o);
  else if (strcmp (path, "linux.resources") == 0)
    resources_extra (g, o);
  yajl_gen_map_close (g);
}

static void
emit (yajl_gen g, yajl_val v, const char *path, const struct spec_options *o)
{
  if (YAJL_IS_OBJECT (v))
    emit_map (g, v, path, o);
  else if (YAJL_IS_ARRAY (v))
    {
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        emit (g, v->u.array.values[i], path, o);
      yajl_gen_array_close (g);
    }
  else if (YAJL_IS_STRING (v))
    jw_str (g, v->u.string);
  else if (YAJL_IS_INTEGER (v))
    yajl_gen_integer (g, YAJL_GET_INTEGER (v));
  else if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    yajl_gen_bool (g, YAJL_IS_TRUE (v));
  else
    yajl_gen_null (g);
}

char *
spec_generate_json (const struct spec_options *o, tr_error_t *err)
{
  char errbuf[128];
  yajl_val tree = yajl_tree_parse (spec_default_json (false), errbuf, sizeof errbuf);
  if (tree == NULL)
    {
      tr_error_plain (err, EINVAL, "the default config: %s", errbuf);
      return NULL;
    }
  yajl_gen g = jw_new (true, "config.json", err);
  if (g == NULL)
    {
      yajl_tree_free (tree);
      return NULL;
    }
  emit (g, tree, "", o);
  yajl_tree_free (tree);
  return jw_finish (g, NULL, "config.json", err);
}
