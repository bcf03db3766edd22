/* `tinyrun features`: every list comes from the table the runtime itself
 * uses (mount options from linux/mount_flags.c, namespaces from
 * linux/namespaces.c, seccomp names from linux/seccomp.c, capabilities
 * from libcap, hooks from the config parser); oci-spec encodes them. */
#include "config.h"
#include "container/features.h"
#include "linux/caps.h"
#include "linux/mount_flags.h"
#include "linux/namespaces.h"
#include "linux/seccomp.h"
#include "oci-spec/features_json.h"
#include "oci-spec/spec.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#define MAX_NAMES 128
#define MAX_CAPS 64

struct names
{
  const char *v[MAX_NAMES];
  size_t n;
};

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A filled table as a features list; sorted where the document has
 * always listed it alphabetically. */
static struct features_list
as_list (struct names *names, size_t n, bool sort)
{
  names->n = n < MAX_NAMES ? n : MAX_NAMES;
  if (sort)
    qsort (names->v, names->n, sizeof names->v[0], compare_names);
  return (struct features_list){ names->v, names->n };
}

/* A spec_*_name (i) lookup into out (at most max). */
static size_t
spec_names (const char *(*name_of) (size_t), const char **out, size_t max)
{
  size_t n = 0;
  for (const char *name; (name = name_of (n)) != NULL; n++)
    if (n < max)
      out[n] = name;
  return n;
}

/* "CAP_CHOWN", ... for every capability this kernel has. */
static size_t
capability_names (char upper[MAX_CAPS][32], const char **out)
{
  size_t n = 0;
  for (int cap = 0; cap <= cap_last () && n < MAX_CAPS; cap++)
    {
      char *name = cap_to_name ((cap_value_t) cap);
      if (name == NULL)
        continue;
      size_t i;
      for (i = 0; name[i] && i < sizeof upper[n] - 1; i++)
        upper[n][i] = (char) (name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
      upper[n][i] = '\0';
      cap_free (name);
      if (strncmp (upper[n], "CAP_", 4) == 0)
        {
          out[n] = upper[n];
          n++;
        }
    }
  return n;
}

char *
features_json (tr_error_t *err)
{
  struct names hooks, mount_options, namespaces, caps, actions, operators, archs, flags, mpol_modes, mpol_flags;
  char cap_buf[MAX_CAPS][32];
  static const char *const annotation_keys[] = { "io.github.tinyrun.version" };
  static const char *const annotation_values[] = { PACKAGE_VERSION };
  struct features f = {
    .oci_version_min = "1.0.0",
    .oci_version_max = "1.3.0",
    .hooks = as_list (&hooks, spec_names (spec_hook_name, hooks.v, MAX_NAMES), false),
    .mount_options = as_list (&mount_options, mount_option_names (mount_options.v, MAX_NAMES), true),
    .linux_ = {
      .namespaces = as_list (&namespaces, ns_supported_names (namespaces.v, MAX_NAMES), true),
      .capabilities = as_list (&caps, capability_names (cap_buf, caps.v), false),
      .cgroup_v1 = true,
      .cgroup_v2 = true,
      .seccomp = true,
      .seccomp_actions = as_list (&actions, seccomp_action_names (actions.v, MAX_NAMES), true),
      .seccomp_operators = as_list (&operators, seccomp_operator_names (operators.v, MAX_NAMES), true),
      .seccomp_archs = as_list (&archs, seccomp_arch_names (archs.v, MAX_NAMES), false),
      .seccomp_known_flags = as_list (&flags, seccomp_flag_names (flags.v, MAX_NAMES), false),
      /* Applied where the host has them enabled (see lsm.c). */
      .apparmor = true,
      .selinux = true,
      /* The options table the parser and the mount code use (mount_flags.c). */
      .idmap_mounts = mount_option_applied ("idmap") && mount_option_applied ("ridmap"),
      /* The parser's own tables (oci-spec/spec_parse_linux.c). */
      .memory_policy_modes = as_list (&mpol_modes, spec_names (spec_mpol_mode_name, mpol_modes.v, MAX_NAMES), false),
      .memory_policy_flags = as_list (&mpol_flags, spec_names (spec_mpol_flag_name, mpol_flags.v, MAX_NAMES), false),
      /* Moved in by create (linux/netdev.c). */
      .net_devices = true,
      /* Built in (linux/intelrdt.c), whether or not this host has resctrl;
       * schemata and enableMonitoring of runtime-spec 1.3 included. */
      .intel_rdt = true,
      .intel_rdt_schemata = true,
      .intel_rdt_monitoring = true,
    },
    .annotation_keys = annotation_keys,
    .annotation_values = annotation_values,
    .n_annotations = 1,
  };
  f.linux_.seccomp_supported_flags = f.linux_.seccomp_known_flags;
  return features_json_encode (&f, err);
}

const char *
container_seccomp_version (char *buf, size_t size)
{
  const struct scmp_version *v = seccomp_version ();
  snprintf (buf, size, "%u.%u.%u", v->major, v->minor, v->micro);
  return buf;
}
