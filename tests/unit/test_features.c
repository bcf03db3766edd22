/* `tinyrun features` tells the truth: its lists are the tables the code
 * uses, and the encoder writes what it is given. */
#include "unit.h"
#include "container/features.h"
#include "linux/mount_flags.h"
#include "linux/namespaces.h"
#include "linux/seccomp.h"
#include "oci-spec/features_json.h"

#include <stdlib.h>

static bool
listed (const char **v, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i], name) == 0)
      return true;
  return false;
}

/* Every reported option is recognised by the parser (none falls through
 * to fs data), the idmap options among them. */
TEST (features_mount_options_are_parsed)
{
  const char *names[128];
  size_t n = mount_option_names (names, 128);
  CHECK (n > 50 && n <= 128);
  for (size_t i = 0; i < n; i++)
    {
      char *opt[] = { (char *) names[i] };
      struct mount_options mo;
      tr_error_t err = NULL;
      CHECK (mount_options_parse (opt, 1, &mo, &err) == 0);
      CHECK (mo.data[0] == '\0');
      tr_error_free (&err);
    }
  CHECK (listed (names, n, "rro") && listed (names, n, "tmpcopyup") && listed (names, n, "rprivate"));
  CHECK (listed (names, n, "idmap") && listed (names, n, "ridmap"));
  CHECK (mount_option_applied ("idmap") && mount_option_applied ("ridmap") && !mount_option_applied ("nosuchopt"));
}

TEST (features_namespaces_and_seccomp)
{
  const char *names[128];
  size_t n = ns_supported_names (names, 128);
  CHECK (n == NS_COUNT);
  CHECK (listed (names, n, "pid") && listed (names, n, "time") && listed (names, n, "cgroup"));
  n = seccomp_action_names (names, 128);
  CHECK (listed (names, n, "SCMP_ACT_NOTIFY") && listed (names, n, "SCMP_ACT_KILL_PROCESS"));
  n = seccomp_operator_names (names, 128);
  CHECK (n == 7 && listed (names, n, "SCMP_CMP_MASKED_EQ"));
  n = seccomp_arch_names (names, 128);
  CHECK (listed (names, n, "SCMP_ARCH_X86_64") && listed (names, n, "SCMP_ARCH_AARCH64"));
  CHECK (seccomp_arch_names (names, 1) == n);
}

TEST (features_json_encodes_its_input)
{
  static const char *const hooks[] = { "prestart", "poststop" };
  static const char *const keys[] = { "k" };
  static const char *const values[] = { "v" };
  struct features f = { .oci_version_min = "1.0.0",
                        .oci_version_max = "1.2.0",
                        .hooks = { hooks, 2 },
                        .linux_ = { .cgroup_v2 = true, .seccomp = true },
                        .annotation_keys = keys,
                        .annotation_values = values,
                        .n_annotations = 1 };
  tr_error_t err = NULL;
  char *json = features_json_encode (&f, &err);
  CHECK (json != NULL);
  if (json)
    {
      CHECK (strstr (json, "\"hooks\": [\n        \"prestart\",\n        \"poststop\"\n    ]") != NULL);
      CHECK (strstr (json, "\"v2\": true") != NULL && strstr (json, "\"v1\": false") != NULL);
      CHECK (strstr (json, "\"mountExtensions\"") != NULL && strstr (json, "\"k\": \"v\"") != NULL);
    }
  free (json);
  json = features_json (&err);
  CHECK (json != NULL && strstr (json, "\"createRuntime\"") != NULL && strstr (json, "\"CAP_SYS_ADMIN\"") != NULL);
  free (json);
  tr_error_free (&err);
}
