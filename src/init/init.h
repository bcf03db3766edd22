/* The container's init process: everything that happens inside the new
 * namespaces between clone and execve, as a list of small named steps. */
#ifndef TINYRUN_INIT_H
#define TINYRUN_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "linux/cgroup_join.h"
#include "linux/cgroup_mount.h"
#include "linux/mount_sources.h"
#include "linux/namespaces.h"
#include "init/process.h"
#include "oci-spec/spec.h"

/* The init's exit status when it fails after create (start.error says
 * why): what `run` checks start.error for. */
#define INIT_EXIT_START_FAILED 127

struct init_context
{
  /* Given by the parent. */
  const char *id;
  const struct spec *spec;
  const char *rootfs; /* absolute host path */
  const char *bundle;
  const struct cgroup_mount_plan *cgroup_mounts; /* what a "cgroup" mount is made of */
  const struct ns_plan *plan;
  const int *join_fds; /* pairs with plan->join */
  /* A new network namespace the runtime is making ahead
   * (linux/netns_ahead.h): not from clone, but joined, its lo up already.
   * Its fd comes with SYNC_PARENT_READY (-1 until then, and without one). */
  bool netns_ahead;
  int netns_ahead_fd;
  /* The v1 cgroups to join itself (n 0: the runtime moves it); the fds
   * are closed once joined. */
  struct cgroup_join *cgroup_join;
  int sync_fd;         /* the child's end of the socketpair */
  int fifo_fd;         /* exec.fifo, read end, O_NONBLOCK */
  int start_error_fd;  /* start.error, where a failure after `start` is told */
  bool no_pivot;
  bool no_new_keyring;
  bool rootless;       /* the runtime's euid is not 0 */
  bool in_user_ns;     /* the runtime runs in a user namespace (rootless podman's): no mknod */
  int preserve_fds;
  /* The runtime's own fds that the child inherits but must not keep: a
   * copy of the state directory fd would keep its flock() held, the
   * runtime's fd of /sys/fs/cgroup (cgroup/root_fd.h) is a host directory. */
  int inherited_fds[5];
  size_t n_inherited_fds;

  /* Filled in as the steps run. */
  pid_t host_pid;                     /* our pid as the host sees it (sent by the parent) */
  struct mount_sources mount_sources; /* bind sources the runtime opened (new user namespace) */
  int rootfd;       /* the rootfs mount, once bind-mounted onto itself */
  int pty_master;   /* with process.terminal */
  struct process_exec exec; /* what execve() will get */
};

/* Runs the steps; never returns.  Errors go back over sync_fd. */
_Noreturn void init_main (struct init_context *ctx);

#endif
