#include "config.h"
#include "init/spawn.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "init/intermediate.h"
#include "init/sync.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* clone3 without a new stack behaves like fork: the child returns 0 here
 * on a copy of our stack.  Falls back to clone(2) on kernels without
 * clone3, and retries without CLONE_INTO_CGROUP where that is refused. */
pid_t
spawn_clone (unsigned long flags, int cgroup_fd, bool *in_cgroup)
{
  struct clone_args args = {
    .flags = flags | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
    /* With CLONE_PARENT the child inherits our exit signal and clone3
     * insists that none be given. */
    .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
    .cgroup = cgroup_fd >= 0 ? (uint64_t) cgroup_fd : 0,
  };
  *in_cgroup = false;
  pid_t pid = sys_clone3 (&args);
  if (pid >= 0)
    {
      *in_cgroup = cgroup_fd >= 0;
      return pid;
    }
  if (cgroup_fd >= 0 && errno != ENOSYS && errno != ENOMEM && errno != EAGAIN)
    {
      log_debug ("clone3 with CLONE_INTO_CGROUP: %s; trying without", strerror (errno));
      args.flags &= ~CLONE_INTO_CGROUP;
      args.cgroup = 0;
      pid = sys_clone3 (&args);
      if (pid >= 0)
        return pid;
    }
  if (errno != ENOSYS)
    return -1;
  return sys_clone (flags | ((flags & CLONE_PARENT) ? 0 : SIGCHLD));
}

static int
join_fd_for (const struct ns_plan *plan, const int *fds, enum spec_ns_type type)
{
  for (size_t i = 0; i < plan->n_join; i++)
    if (plan->join[i]->type == type)
      return fds[i];
  return -1;
}

int
for_children_enter (int pid_ns, int time_ns, bool new_time, struct for_children *saved, tr_error_t *err)
{
  saved->pid_fd = saved->time_fd = -1;
  if (pid_ns >= 0)
    {
      saved->pid_fd = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (saved->pid_fd < 0 || tr_sys->setns (pid_ns, CLONE_NEWPID) < 0)
        return tr_error (err, errno, "join pid namespace");
    }
  if (time_ns >= 0 || new_time)
    {
      saved->time_fd = open ("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
      if (saved->time_fd < 0)
        return tr_error (err, errno, "open /proc/self/ns/time");
    }
  if (time_ns >= 0 && tr_sys->setns (time_ns, CLONE_NEWTIME) < 0)
    return tr_error (err, errno, "join time namespace");
  if (new_time && tr_sys->unshare (CLONE_NEWTIME) < 0)
    return tr_error (err, errno, "create time namespace");
  return 0;
}

void
for_children_leave (struct for_children *saved)
{
  if (saved->pid_fd >= 0)
    {
      if (setns (saved->pid_fd, CLONE_NEWPID) < 0)
        log_warning ("restore pid namespace: %s", strerror (errno));
      close (saved->pid_fd);
    }
  if (saved->time_fd >= 0)
    {
      if (setns (saved->time_fd, CLONE_NEWTIME) < 0)
        log_warning ("restore time namespace: %s", strerror (errno));
      close (saved->time_fd);
    }
  saved->pid_fd = saved->time_fd = -1;
}

static int
enter_for_children (struct init_context *ctx, struct for_children *saved, tr_error_t *err)
{
  const struct ns_plan *plan = ctx->plan;
  if (for_children_enter (join_fd_for (plan, ctx->join_fds, NS_PID), join_fd_for (plan, ctx->join_fds, NS_TIME),
                          plan->new_time, saved, err)
      < 0)
    return -1;
  /* Offsets can only be written before any process has entered. */
  return plan->new_time ? timens_write_offsets (ctx->spec, err) : 0;
}

static pid_t
spawn_direct (struct init_context *ctx, int cgroup_fd, int sync_parent, bool *in_cgroup, tr_error_t *err)
{
  struct for_children saved;
  pid_t pid = -1;
  if (enter_for_children (ctx, &saved, err) == 0)
    {
      unsigned long flags = ctx->plan->new_flags | (ctx->plan->new_pid ? CLONE_NEWPID : 0);
      if (ctx->netns_ahead) /* the init joins it (step_join_namespaces) */
        flags &= ~(unsigned long) CLONE_NEWNET;
      pid = spawn_clone (flags, cgroup_fd, in_cgroup);
      if (pid == 0)
        {
          close (sync_parent);
          init_main (ctx);
        }
      if (pid < 0)
        tr_error (err, errno, "clone the container process");
    }
  for_children_leave (&saved);
  return pid;
}

/* The parent's half of the intermediate's handshake (sync.h): the id maps
 * of its new user namespace, then the init's pid. */
static pid_t
intermediate_handshake (struct init_context *ctx, pid_t mid, int sync_parent, tr_error_t *err)
{
  int32_t pid = -1;
  if (ctx->plan->new_user
      && (sync_expect (sync_parent, SYNC_USERNS_READY, NULL, NULL, err) < 0
          || userns_write_maps (mid, ctx->spec, err) < 0
          || sync_send (sync_parent, SYNC_USERNS_MAPPED, 0, -1, err) < 0))
    return -1;
  if (sync_expect (sync_parent, SYNC_INIT_PID, &pid, NULL, err) < 0)
    return -1;
  return pid;
}

static pid_t
spawn_via_intermediate (struct init_context *ctx, int cgroup_fd, int sync_parent, bool *in_cgroup, tr_error_t *err)
{
  pid_t mid = spawn_clone (0, cgroup_fd, in_cgroup);
  if (mid < 0)
    return tr_error (err, errno, "fork");
  if (mid == 0)
    {
      close (sync_parent);
      for (size_t i = 0; i < ctx->n_inherited_fds; i++)
        close (ctx->inherited_fds[i]);
      ctx->n_inherited_fds = 0;
      init_intermediate (ctx);
    }
  pid_t pid = intermediate_handshake (ctx, mid, sync_parent, err);
  if (pid < 0)
    kill (mid, SIGKILL);
  waitpid (mid, NULL, 0);
  return pid;
}

pid_t
spawn_init (struct init_context *ctx, int cgroup_fd, int sync_parent, bool *in_cgroup, tr_error_t *err)
{
  if (ctx->plan->intermediate)
    return spawn_via_intermediate (ctx, cgroup_fd, sync_parent, in_cgroup, err);
  pid_t pid = spawn_direct (ctx, cgroup_fd, sync_parent, in_cgroup, err);
  if (pid > 0 && ctx->plan->new_user && userns_write_maps (pid, ctx->spec, err) < 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return -1;
    }
  return pid;
}
