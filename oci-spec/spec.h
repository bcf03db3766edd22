/* The OCI runtime-spec configuration (config.json) as C structures.
 *
 * The parsed spec *is* tinyrun's model of a container: there is no second
 * representation.  Everything is allocated from `spec->arena`.
 *
 * Conventions:
 *  - Absent objects are NULL pointers; absent scalars have `.set == false`.
 *  - Lists are a pointer plus a count (`x` and `n_x`); string lists are
 *    also NULL-terminated so they can be handed to execve().
 *  - A list that is present but empty has a non-NULL pointer and count 0,
 *    because the spec sometimes distinguishes "absent" from "empty"
 *    (e.g. capabilities). */
#ifndef TINYRUN_SPEC_H
#define TINYRUN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci-spec/arena.h"
#include "util/error.h"

typedef struct
{
  bool set;
  int64_t v;
} opt_i64;

typedef struct
{
  bool set;
  uint64_t v;
} opt_u64;

typedef struct
{
  bool set;
  bool v;
} opt_bool;

typedef struct
{
  char **v; /* NULL-terminated; NULL when absent */
  size_t n;
} strlist;

struct spec_kv
{
  char *key;
  char *value;
};

typedef struct
{
  struct spec_kv *v;
  size_t n;
} kvlist;

struct spec_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

typedef struct
{
  struct spec_id_mapping *v;
  size_t n;
} idmaplist;

/* ---- root, mounts ------------------------------------------------------ */

struct spec_root
{
  char *path;
  bool readonly;
};

struct spec_mount
{
  char *destination;
  char *type;   /* may be NULL */
  char *source; /* may be NULL */
  strlist options;
  idmaplist uid_mappings;
  idmaplist gid_mappings;
};

/* ---- process ------------------------------------------------------------ */

struct spec_rlimit
{
  char *type; /* "RLIMIT_NOFILE" */
  int resource;
  uint64_t hard;
  uint64_t soft;
};

struct spec_user
{
  uint32_t uid;
  uint32_t gid;
  opt_u64 umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username;
};

struct spec_capabilities
{
  strlist bounding, effective, inheritable, permitted, ambient;
};

struct spec_scheduler
{
  char *policy;
  opt_i64 nice;
  opt_i64 priority;
  strlist flags;
  opt_u64 runtime;
  opt_u64 deadline;
  opt_u64 period;
};

struct spec_io_priority
{
  char *class_name; /* IOPRIO_CLASS_RT, _BE, _IDLE */
  int64_t priority;
};

struct spec_cpu_affinity
{
  char *initial;
  char *final;
};

struct spec_process
{
  opt_bool terminal;
  bool has_console_size;
  uint32_t console_height, console_width;
  struct spec_user user;
  strlist args;
  strlist env;
  char *cwd;
  struct spec_capabilities *capabilities;
  struct spec_rlimit *rlimits;
  size_t n_rlimits;
  opt_bool no_new_privileges; /* absent: `exec --process` inherits the container's */
  char *apparmor_profile;
  opt_i64 oom_score_adj;
  char *selinux_label;
  struct spec_scheduler *scheduler;
  struct spec_io_priority *io_priority;
  struct spec_cpu_affinity *exec_cpu_affinity;
};

/* ---- hooks -------------------------------------------------------------- */

struct spec_hook
{
  char *path;
  strlist args;
  strlist env;
  opt_i64 timeout; /* seconds */
};

typedef struct
{
  struct spec_hook *v;
  size_t n;
} hooklist;

struct spec_hooks
{
  hooklist prestart, create_runtime, create_container, start_container, poststart, poststop;
};

/* ---- linux: namespaces, devices ----------------------------------------- */

enum spec_ns_type
{
  NS_PID,
  NS_NETWORK,
  NS_MOUNT,
  NS_IPC,
  NS_UTS,
  NS_USER,
  NS_CGROUP,
  NS_TIME,
  NS_COUNT
};

struct spec_namespace
{
  enum spec_ns_type type;
  char *path; /* NULL: create a new namespace */
};

struct spec_time_offset
{
  bool set;
  int64_t secs;
  uint32_t nanosecs;
};

struct spec_device
{
  char *type; /* c, b, u or p */
  char *path;
  int64_t major, minor;
  opt_u64 file_mode;
  opt_u64 uid, gid;
};

/* ---- linux.resources ---------------------------------------------------- */

struct spec_device_rule
{
  bool allow;
  char *type;   /* a, c, b; NULL means all */
  opt_i64 major; /* unset means any ("*") */
  opt_i64 minor;
  char *access; /* subset of "rwm"; NULL means all */
};

struct spec_memory
{
  opt_i64 limit, reservation, swap, kernel, kernel_tcp;
  opt_u64 swappiness;
  opt_bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct spec_cpu
{
  opt_u64 shares;
  opt_i64 quota;
  opt_u64 burst;
  opt_u64 period;
  opt_i64 realtime_runtime;
  opt_u64 realtime_period;
  char *cpus;
  char *mems;
  opt_i64 idle;
};

struct spec_weight_device
{
  int64_t major, minor;
  opt_u64 weight, leaf_weight;
};

struct spec_throttle_device
{
  int64_t major, minor;
  uint64_t rate;
};

typedef struct
{
  struct spec_throttle_device *v;
  size_t n;
} throttlelist;

struct spec_block_io
{
  opt_u64 weight, leaf_weight;
  struct spec_weight_device *weight_device;
  size_t n_weight_device;
  throttlelist throttle_read_bps, throttle_write_bps, throttle_read_iops, throttle_write_iops;
};

struct spec_hugepage_limit
{
  char *page_size;
  uint64_t limit;
};

struct spec_net_priority
{
  char *name;
  uint32_t priority;
};

struct spec_network
{
  opt_u64 class_id;
  struct spec_net_priority *priorities;
  size_t n_priorities;
};

struct spec_rdma
{
  char *device;
  opt_u64 hca_handles, hca_objects;
};

struct spec_resources
{
  struct spec_device_rule *devices;
  size_t n_devices;
  struct spec_memory *memory;
  struct spec_cpu *cpu;
  opt_i64 pids_limit;
  struct spec_block_io *block_io;
  struct spec_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  struct spec_network *network;
  struct spec_rdma *rdma;
  size_t n_rdma;
  kvlist unified;
};

/* ---- linux.seccomp ------------------------------------------------------ */

struct spec_seccomp_arg
{
  uint32_t index;
  uint64_t value;
  uint64_t value_two;
  char *op;
};

struct spec_seccomp_syscall
{
  strlist names;
  char *action;
  opt_u64 errno_ret;
  struct spec_seccomp_arg *args;
  size_t n_args;
};

struct spec_seccomp
{
  char *default_action;
  opt_u64 default_errno_ret;
  strlist architectures;
  strlist flags;
  char *listener_path;
  char *listener_metadata;
  struct spec_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

/* ---- linux: everything else --------------------------------------------- */

struct spec_intel_rdt
{
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  strlist schemata;          /* runtime-spec 1.3: lines written after the two above */
  opt_bool enable_monitoring; /* runtime-spec 1.3: a MON group named after the container */
  opt_bool enable_cmt, enable_mbm; /* 1.1 to 1.2, replaced by enableMonitoring: ignored */
};

struct spec_personality
{
  char *domain;
  strlist flags;
};

/* linux.memoryPolicy (runtime-spec 1.3), for set_mempolicy(2).  The mode
 * and flag values are the kernel's (linux/mempolicy.h), which older
 * headers lack in part. */
enum spec_mpol_mode
{
  SPEC_MPOL_DEFAULT = 0,
  SPEC_MPOL_PREFERRED = 1,
  SPEC_MPOL_BIND = 2,
  SPEC_MPOL_INTERLEAVE = 3,
  SPEC_MPOL_LOCAL = 4,
  SPEC_MPOL_PREFERRED_MANY = 5,
  SPEC_MPOL_WEIGHTED_INTERLEAVE = 6,
};
#define SPEC_MPOL_F_NUMA_BALANCING (1u << 13)
#define SPEC_MPOL_F_RELATIVE_NODES (1u << 14)
#define SPEC_MPOL_F_STATIC_NODES (1u << 15)
/* Nodes 0..SPEC_MPOL_MAX_NODES-1 (the kernel's largest MAX_NUMNODES). */
#define SPEC_MPOL_MAX_NODES 1024

struct spec_memory_policy
{
  enum spec_mpol_mode mode;
  unsigned flags;                                /* SPEC_MPOL_F_* */
  unsigned long nodes[SPEC_MPOL_MAX_NODES / (8 * sizeof (unsigned long))]; /* a bit per node */
  bool any_node;                                 /* nodes has a bit set */
};

/* The i-th memoryPolicy mode or flag name ("MPOL_BIND", ...), NULL past
 * the last: what the parser accepts, and `features` lists. */
const char *spec_mpol_mode_name (size_t i);
const char *spec_mpol_flag_name (size_t i);

struct spec_linux
{
  struct spec_namespace *namespaces;
  size_t n_namespaces;
  idmaplist uid_mappings;
  idmaplist gid_mappings;
  struct spec_time_offset time_monotonic, time_boottime;
  struct spec_device *devices;
  size_t n_devices;
  char *cgroups_path;
  struct spec_resources *resources;
  kvlist sysctl;
  struct spec_seccomp *seccomp;
  char *rootfs_propagation;
  strlist masked_paths;
  strlist readonly_paths;
  char *mount_label;
  struct spec_intel_rdt *intel_rdt;
  struct spec_personality *personality;
  struct spec_memory_policy *memory_policy;
  /* linux.netDevices (runtime-spec 1.3): host name -> name inside (the
   * host name when the entry has none). */
  kvlist net_devices;
};

/* ---- the whole config --------------------------------------------------- */

struct spec
{
  struct arena arena;
  char *oci_version;
  struct spec_root *root;
  struct spec_mount *mounts;
  size_t n_mounts;
  struct spec_process *process;
  char *hostname;
  char *domainname;
  struct spec_hooks *hooks;
  kvlist annotations;
  struct spec_linux *linux_;
};

/* Parse config.json text.  Errors name the JSON path of the offending field,
 * e.g. "linux.seccomp.syscalls[3].names: expected an array of strings". */
struct spec *spec_parse (const char *text, size_t len, tr_error_t *err);

/* Parse a standalone process object (exec --process) or resources object
 * (update --resources) into the arena of an existing spec. */
struct spec_process *spec_parse_process_json (struct spec *spec, const char *text, size_t len, tr_error_t *err);
struct spec_resources *spec_parse_resources_json (struct spec *spec, const char *text, size_t len,
                                                  tr_error_t *err);

void spec_free (struct spec *spec);

/* Lookups used everywhere. */
const char *spec_ns_name (enum spec_ns_type type);
/* The i-th hook list's config.json name ("prestart", ...), NULL past the last. */
const char *spec_hook_name (size_t i);
int spec_ns_type_from_name (const char *name); /* -1 when unknown */
const struct spec_namespace *spec_find_namespace (const struct spec *spec, enum spec_ns_type type);
const char *spec_annotation (const struct spec *spec, const char *key);

#define cleanup_spec __attribute__ ((cleanup (spec_freep)))
static inline void
spec_freep (struct spec **s)
{
  if (*s)
    spec_free (*s);
}

#endif
