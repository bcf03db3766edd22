/* The runtime-spec features document (features.md) as JSON, from plain
 * data: src/container/features.c gathers the lists from the tables the
 * runtime itself uses. */
#ifndef TINYRUN_FEATURES_JSON_H
#define TINYRUN_FEATURES_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct features_list
{
  const char *const *v;
  size_t n;
};

struct features
{
  const char *oci_version_min, *oci_version_max;
  struct features_list hooks, mount_options;
  struct
  {
    struct features_list namespaces, capabilities;
    bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user;
    bool seccomp;
    struct features_list seccomp_actions, seccomp_operators, seccomp_archs;
    struct features_list seccomp_known_flags, seccomp_supported_flags;
    bool apparmor, selinux, intel_rdt, idmap_mounts;
    /* linux.memoryPolicy (runtime-spec 1.3); left out when both are empty. */
    struct features_list memory_policy_modes, memory_policy_flags;
    /* linux.netDevices (runtime-spec 1.3). */
    bool net_devices;
    /* intelRdt's schemata and enableMonitoring (1.3), shown with intel_rdt. */
    bool intel_rdt_schemata, intel_rdt_monitoring;
  } linux_;
  /* "annotations": key/value pairs. */
  const char *const *annotation_keys, *const *annotation_values;
  size_t n_annotations;
};

/* Indented JSON; caller frees. */
char *features_json_encode (const struct features *f, tr_error_t *err);

#endif
