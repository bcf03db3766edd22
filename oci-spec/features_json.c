#include "config.h"
#include "oci-spec/features_json.h"
#include "oci-spec/json_write.h"

#include <errno.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static void
str_array (yajl_gen g, const char *key, const struct features_list *l)
{
  jw_str (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; i < l->n; i++)
    jw_str (g, l->v[i]);
  yajl_gen_array_close (g);
}

static void
boolean (yajl_gen g, const char *key, bool on)
{
  jw_str (g, key);
  yajl_gen_bool (g, on);
}

static void
enabled (yajl_gen g, const char *key, bool on)
{
  jw_str (g, key);
  yajl_gen_map_open (g);
  boolean (g, "enabled", on);
  yajl_gen_map_close (g);
}

static void
gen_linux (yajl_gen g, const struct features *f)
{
  jw_str (g, "linux");
  yajl_gen_map_open (g);
  str_array (g, "namespaces", &f->linux_.namespaces);
  str_array (g, "capabilities", &f->linux_.capabilities);
  jw_str (g, "cgroup");
  yajl_gen_map_open (g);
  boolean (g, "v1", f->linux_.cgroup_v1);
  boolean (g, "v2", f->linux_.cgroup_v2);
  boolean (g, "systemd", f->linux_.cgroup_systemd);
  boolean (g, "systemdUser", f->linux_.cgroup_systemd_user);
  yajl_gen_map_close (g);
  jw_str (g, "seccomp");
  yajl_gen_map_open (g);
  boolean (g, "enabled", f->linux_.seccomp);
  str_array (g, "actions", &f->linux_.seccomp_actions);
  str_array (g, "operators", &f->linux_.seccomp_operators);
  str_array (g, "archs", &f->linux_.seccomp_archs);
  str_array (g, "knownFlags", &f->linux_.seccomp_known_flags);
  str_array (g, "supportedFlags", &f->linux_.seccomp_supported_flags);
  yajl_gen_map_close (g);
  enabled (g, "apparmor", f->linux_.apparmor);
  enabled (g, "selinux", f->linux_.selinux);
  jw_str (g, "intelRdt");
  yajl_gen_map_open (g);
  boolean (g, "enabled", f->linux_.intel_rdt);
  if (f->linux_.intel_rdt)
    {
      boolean (g, "schemata", f->linux_.intel_rdt_schemata);
      boolean (g, "monitoring", f->linux_.intel_rdt_monitoring);
    }
  yajl_gen_map_close (g);
  jw_str (g, "mountExtensions");
  yajl_gen_map_open (g);
  enabled (g, "idmap", f->linux_.idmap_mounts);
  yajl_gen_map_close (g);
  if (f->linux_.memory_policy_modes.n || f->linux_.memory_policy_flags.n)
    {
      jw_str (g, "memoryPolicy");
      yajl_gen_map_open (g);
      str_array (g, "modes", &f->linux_.memory_policy_modes);
      str_array (g, "flags", &f->linux_.memory_policy_flags);
      yajl_gen_map_close (g);
    }
  enabled (g, "netDevices", f->linux_.net_devices);
  yajl_gen_map_close (g);
}

static void
gen_document (yajl_gen g, const struct features *f)
{
  yajl_gen_map_open (g);
  jw_str (g, "ociVersionMin");
  jw_str (g, f->oci_version_min);
  jw_str (g, "ociVersionMax");
  jw_str (g, f->oci_version_max);
  str_array (g, "hooks", &f->hooks);
  str_array (g, "mountOptions", &f->mount_options);
  gen_linux (g, f);
  jw_str (g, "annotations");
  yajl_gen_map_open (g);
  for (size_t i = 0; i < f->n_annotations; i++)
    {
      jw_str (g, f->annotation_keys[i]);
      jw_str (g, f->annotation_values[i]);
    }
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
}

char *
features_json_encode (const struct features *f, tr_error_t *err)
{
  yajl_gen g = jw_new (true, "features", err);
  if (g == NULL)
    return NULL;
  gen_document (g, f);
  return jw_finish (g, NULL, "features", err);
}
