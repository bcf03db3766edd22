/* Which namespaces a container gets and how.
 *
 * ns_plan_build() is a pure function of the spec: it decides which
 * namespaces clone3() creates, which are joined with setns(), and whether
 * an intermediate process is needed.  That is the case when a user
 * namespace is joined, or created next to joined namespaces: setns() into
 * a namespace owned by the host's user namespace must happen *before* the
 * process enters a new user namespace, and a process can never change its
 * own pid namespace, so the init is then forked by the intermediate. */
#ifndef TINYRUN_NAMESPACES_H
#define TINYRUN_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"
#include "oci-spec/spec.h"

struct ns_plan
{
  /* Created by clone3() of the init (single-process mode) or by unshare()
   * in the intermediate (intermediate mode).  Never contains
   * CLONE_NEWCGROUP (see cgroup_ns), CLONE_NEWPID in intermediate mode, or
   * CLONE_NEWTIME (see new_time). */
  unsigned long new_flags;
  bool new_pid;      /* a new pid namespace for the init */
  bool new_user;
  bool new_time;     /* created for children by unshare(CLONE_NEWTIME), then offsets written */
  bool cgroup_ns;    /* unshare(CLONE_NEWCGROUP) in the init once it sits in its cgroup */
  bool intermediate; /* see above */
  /* Namespaces joined by path, user first (ns_join decides the order of
   * the setns calls).  In single-process mode the pid and time namespaces
   * are joined by the parent for its child. */
  const struct spec_namespace *join[NS_COUNT];
  size_t n_join;
};

unsigned long ns_clone_flag (enum spec_ns_type type);

/* The config.json names of the namespace kinds that have a clone flag
 * above: out receives at most max of them; returns how many there are. */
size_t ns_supported_names (const char **out, size_t max);

int ns_plan_build (const struct spec *spec, struct ns_plan *plan, tr_error_t *err);

/* Open every namespace path in the plan up front (fds are O_CLOEXEC);
 * fds[i] pairs with plan->join[i]. */
int ns_open_joins (const struct ns_plan *plan, int *fds, tr_error_t *err);

/* setns() into the plan's joined namespaces of the given kinds (a mask of
 * CLONE_NEW* flags) in runc's order: the others, the user namespace (then
 * setresgid/setresuid to its root), the others it let us into. */
int ns_join (const struct ns_plan *plan, const int *fds, unsigned long only, tr_error_t *err);

/* Write /proc/<pid>/uid_map and gid_map from the spec. */
int userns_write_maps (pid_t pid, const struct spec *spec, tr_error_t *err);

/* Write one map ("uid_map" or "gid_map") of process pid's user namespace,
 * in a single write as the kernel requires. */
int userns_write_map (pid_t pid, const char *file, const idmaplist *map, tr_error_t *err);

/* Write /proc/self/timens_offsets for a fresh time namespace. */
int timens_write_offsets (const struct spec *spec, tr_error_t *err);

#endif
