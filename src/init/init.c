/* The container's init, from clone to execve.  Each step is small and
 * named (create_steps[] below); the first failure is sent to the parent as
 * SYNC_ERROR and the init exits.  The order matters and is the runtime
 * spec's:
 *
 *   protect the runtime binary → join its v1 cgroups (linux/cgroup_join.h)
 *   → wait for the runtime (SYNC_PARENT_READY)
 *   → die with the runtime (PR_SET_PDEATHSIG) → CPU affinity reset (or,
 *   born on the runtime's CPU, after `start`: linux/cpu_pin.h) →
 *   namespaces (join, lo up in a new network namespace, then the cgroup
 *   namespace), hostname, keyring → rootfs, proc mount destinations (no
 *   symlink), mounts, devices, cwd, terminal (host paths still visible) →
 *   createRuntime hooks (in the parent) → createContainer hooks →
 *   pivot_root → stdio on the container's /dev/null → sysctl → masked and
 *   read-only paths → finish rootfs →
 *   limits → resolve the process, compile seccomp (a filter that notifies
 *   is loaded now, its fd sent to the parent) → SYNC_READY → hand over
 *   (SYNC_HANDOVER: the death signal cleared) → wait for `start` →
 *   startContainer hooks → process_finalize_and_exec (see process.h):
 *   bounding set → keepcaps → setresgid/setresuid → capset → ambient →
 *   no_new_privs → seccomp → execve
 *
 * tests/unit/test_init_order.c runs the whole list with a fake kernel
 * (init_ops.h, util/syscalls.h) and asserts this order, call by call. */
#include "config.h"
#include "init/init.h"
#include "init/init_ops.h"
#include "init/sync.h"
#include "init/sync_log.h"
#include "linux/cpu_pin.h"
#include "linux/idmap_mount.h"
#include "linux/lsm.h"
#include "linux/mounts.h"
#include "linux/seccomp.h"
#include "oci-spec/state_json.h"
#include "util/cleanup.h"
#include "util/syscalls.h"
#include "util/trace.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

struct init_step
{
  const char *name;
  int (*run) (struct init_context *ctx, tr_error_t *err);
};

/* The state JSON that createContainer and startContainer hooks read.
 * Their status is "created", as runc and crun pass it and the runtime-tools
 * suite expects (the spec's "creating" is never shown to hooks). */
static char *
state_for_hooks (const struct init_context *ctx, const char *status, tr_error_t *err)
{
  struct container_state st = {
    .id = (char *) ctx->id,
    .pid = ctx->host_pid,
    .bundle = (char *) ctx->bundle,
    .annotations = ctx->spec->annotations,
  };
  return state_json_oci (&st, status, NULL, err);
}

/* With a new user namespace, the runtime opened the bind sources with its
 * own rights (we walk host paths as an unprivileged uid), and it made
 * the idmapped mounts, with or without one (linux/idmap_mount.h): one
 * SYNC_MOUNT_SOURCE per fd, its value the index in spec->mounts, then one
 * with -1. */
static int
receive_mount_sources (struct init_context *ctx, tr_error_t *err)
{
  if (mount_sources_alloc (&ctx->mount_sources, ctx->spec->n_mounts, err) < 0)
    return -1;
  for (;;)
    {
      int32_t index;
      int fd = -1;
      if (sync_expect (ctx->sync_fd, SYNC_MOUNT_SOURCE, &index, &fd, err) < 0)
        return -1;
      if (index < 0)
        return 0;
      mount_sources_take (&ctx->mount_sources, (size_t) index, fd);
    }
}

/* A rootless runtime writes our id maps (or has newuidmap do it) through
 * /proc/<pid>, which an undumpable process closes to an ordinary user:
 * then we protect ourselves only once the runtime is ready (as runc). */
static bool
protect_late (const struct init_context *ctx)
{
  return ctx->rootless && ctx->plan->new_user && !ctx->plan->intermediate;
}

static int
step_wait_parent (struct init_context *ctx, tr_error_t *err)
{
  int32_t pid;
  if (sync_expect (ctx->sync_fd, SYNC_PARENT_READY, &pid, ctx->netns_ahead ? &ctx->netns_ahead_fd : NULL, err) < 0)
    return -1;
  if (ctx->netns_ahead && ctx->netns_ahead_fd < 0)
    return tr_error_plain (err, EPROTO, "no network namespace from the runtime");
  ctx->host_pid = pid;
  if ((ctx->plan->new_user || idmap_mounts_in_spec (ctx->spec)) && receive_mount_sources (ctx, err) < 0)
    return -1;
  if (protect_late (ctx) && init_ops->self_protect (err) < 0)
    return -1;
  /* Born in a new user namespace, we still carry the host's uid 0, which
   * the namespace does not map: become its root now that the maps exist,
   * or creating a file would fail with EOVERFLOW. */
  if (ctx->plan->new_user && !ctx->plan->intermediate)
    {
      if (tr_sys->setresgid (0, 0, 0) < 0)
        return tr_error (err, errno, "setresgid to root of the user namespace");
      if (tr_sys->setresuid (0, 0, 0) < 0)
        return tr_error (err, errno, "setresuid to root of the user namespace");
    }
  return 0;
}

/* Die with the runtime until it hands us over (step_handover): a `create`
 * killed at any instant must not leave an init waiting forever.  Set now,
 * after step_wait_parent's change of credentials (which clears it); if
 * the runtime died before, its end of the channel is already closed. */
static int
step_die_with_runtime (struct init_context *ctx, tr_error_t *err)
{
  if (tr_sys->prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    return tr_error (err, errno, "prctl PR_SET_PDEATHSIG");
  struct pollfd p = { .fd = ctx->sync_fd, .events = POLLRDHUP };
  if (poll (&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP)))
    _exit (1);
  return 0;
}

/* The runtime has recorded the container and is about to exit: from now
 * on the init lives on alone. */
/* Born on the runtime's CPU (linux/cpu_pin.h) and still there: every CPU
 * of its cgroup from now on, as step_reset_affinity gives the others. */
static int
unpin (tr_error_t *err)
{
  if (!cpu_pin_release_in_init ())
    return 0;
  return init_ops->affinity (NULL, false, err);
}

static int
step_handover (struct init_context *ctx, tr_error_t *err)
{
  int32_t start_follows = 0;
  if (sync_expect (ctx->sync_fd, SYNC_HANDOVER, &start_follows, NULL, err) < 0)
    return -1;
  if (tr_sys->prctl (PR_SET_PDEATHSIG, 0) < 0)
    return tr_error (err, errno, "prctl PR_SET_PDEATHSIG");
  /* A `create` that exits now: `start` will run on any CPU, so this one
   * is no reason to stay (linux/cpu_pin.h). */
  if (!start_follows && unpin (err) < 0)
    return -1;
  if (sync_send (ctx->sync_fd, SYNC_HANDOVER_DONE, 0, -1, err) < 0)
    return -1;
  close (ctx->sync_fd);
  ctx->sync_fd = -1;
  return 0;
}

static int
step_self_protect (struct init_context *ctx, tr_error_t *err)
{
  if (protect_late (ctx))
    return 0;
  return init_ops->self_protect (err);
}

/* Into the container's v1 cgroups, by itself and before anything of the
 * container's is made (the runtime spec's order, as when the runtime
 * moves it): see linux/cgroup_join.h for why not by the runtime. */
static int
step_join_cgroups (struct init_context *ctx, tr_error_t *err)
{
  if (ctx->cgroup_join == NULL || ctx->cgroup_join->n == 0)
    return 0;
  int ret = init_ops->cgroup_join_self (ctx->cgroup_join, err);
  cgroup_join_clear (ctx->cgroup_join);
  return ret;
}

/* Not the runtime's affinity (taskset -c 0 tinyrun create): every CPU of
 * the cgroup it is in by now, as runc resets it.  process.execCPUAffinity
 * is for exec'd processes only (runtime-spec).  Born on the runtime's CPU
 * (linux/cpu_pin.h), it stays there until `start` releases it, and its
 * createContainer hooks get every CPU meanwhile. */
static int
step_reset_affinity (struct init_context *ctx, tr_error_t *err)
{
  (void) ctx;
  if (cpu_pin_in_init ())
    return 0;
  return init_ops->affinity (NULL, false, err);
}

static int
step_join_namespaces (struct init_context *ctx, tr_error_t *err)
{
  /* In intermediate mode the intermediate joined everything; otherwise
   * the parent took care of pid and time (they apply to children). */
  if (ctx->plan->intermediate)
    return 0;
  if (ctx->netns_ahead_fd >= 0)
    {
      if (tr_sys->setns (ctx->netns_ahead_fd, CLONE_NEWNET) < 0)
        return tr_error (err, errno, "join the new network namespace");
      close (ctx->netns_ahead_fd);
    }
  return init_ops->ns_join (ctx->plan, ctx->join_fds, ~(unsigned long) (CLONE_NEWPID | CLONE_NEWTIME), err);
}

/* runc's "loopback" strategy: lo of a network namespace of our own is up
 * (one joined by path is left as its owner set it). */
static int
step_loopback (struct init_context *ctx, tr_error_t *err)
{
  /* One made ahead has its lo up already (linux/netns_ahead.h). */
  if (!(ctx->plan->new_flags & CLONE_NEWNET) || ctx->netns_ahead)
    return 0;
  return init_ops->loopback_up (err);
}

static int
step_cgroup_namespace (struct init_context *ctx, tr_error_t *err)
{
  /* Only now: the parent has put us in our cgroup, which becomes the
   * root of the new namespace. */
  if (ctx->plan->cgroup_ns && tr_sys->unshare (CLONE_NEWCGROUP) < 0)
    return tr_error (err, errno, "unshare cgroup namespace");
  return 0;
}

static int
step_hostname (struct init_context *ctx, tr_error_t *err)
{
  const struct spec *s = ctx->spec;
  if (s->hostname && tr_sys->sethostname (s->hostname, strlen (s->hostname)) < 0)
    return tr_error (err, errno, "hostname: sethostname %s", s->hostname);
  if (s->domainname && tr_sys->setdomainname (s->domainname, strlen (s->domainname)) < 0)
    return tr_error (err, errno, "domainname: setdomainname %s", s->domainname);
  return 0;
}

/* A session keyring of its own, so the container cannot see the keys of
 * whoever started it (skipped with --no-new-keyring). */
static int
step_keyring (struct init_context *ctx, tr_error_t *err)
{
  if (ctx->no_new_keyring)
    return 0;
  char name[1100];
  snprintf (name, sizeof name, "_ses.%s", ctx->id);
  if (tr_sys->join_session_keyring (name) < 0 && errno != ENOSYS)
    return tr_error (err, errno, "join a new session keyring");
  return 0;
}

static enum rootfs_switch
rootfs_switch_of (const struct init_context *ctx)
{
  if (spec_find_namespace (ctx->spec, NS_MOUNT) == NULL)
    return ROOTFS_CHROOT;
  return ctx->no_pivot ? ROOTFS_MOVE : ROOTFS_PIVOT;
}

static int
step_rootfs (struct init_context *ctx, tr_error_t *err)
{
  ctx->rootfd = init_ops->rootfs_prepare (ctx->spec, ctx->rootfs, rootfs_switch_of (ctx), err);
  return ctx->rootfd < 0 ? -1 : 0;
}

/* CVE-2025-52881 class: a proc mount must land on the rootfs's own /proc
 * directory, not where a symlink of the rootfs points. */
static int
step_proc_destinations (struct init_context *ctx, tr_error_t *err)
{
  return init_ops->proc_destinations (ctx->spec, ctx->rootfd, err);
}

static int
step_mounts (struct init_context *ctx, tr_error_t *err)
{
  struct mount_context mc = {
    .rootfd = ctx->rootfd,
    .bundle = ctx->bundle,
    .cgroup_mounts = ctx->cgroup_mounts,
    .sources = &ctx->mount_sources,
    .cgroup_ns = spec_find_namespace (ctx->spec, NS_CGROUP) != NULL,
    .user_ns = spec_find_namespace (ctx->spec, NS_USER) != NULL,
    .net_ns = ctx->plan->new_flags & CLONE_NEWNET,
    .mount_label = lsm_mount_label (ctx->spec),
  };
  int r = init_ops->mounts_apply (ctx->spec, &mc, err);
  /* The sources are host directories: not one stays open in the container. */
  mount_sources_close (&ctx->mount_sources);
  return r;
}

static int
step_devices (struct init_context *ctx, tr_error_t *err)
{
  /* In a user namespace, ours or the runtime's, devices are bind-mounted. */
  bool user_ns = spec_find_namespace (ctx->spec, NS_USER) != NULL || ctx->in_user_ns;
  return init_ops->devices_create (ctx->spec, ctx->rootfd, user_ns, !mounts_have_bind_dev (ctx->spec), err);
}

static int
step_terminal (struct init_context *ctx, tr_error_t *err)
{
  const struct spec_process *p = ctx->spec->process;
  /* Without a terminal the init still leads a session of its own, as
   * runc's (nsexec's setsid): criu refuses to checkpoint a tree whose
   * session leader is outside the container. */
  if (!p->terminal.v)
    return tr_sys->setsid () < 0 ? tr_error (err, errno, "setsid") : 0;
  ctx->pty_master = init_ops->terminal_setup (ctx->rootfd, p, true, err);
  return ctx->pty_master < 0 ? -1 : 0;
}

static int
step_cwd (struct init_context *ctx, tr_error_t *err)
{
  /* Like runc, a missing working directory is created (before the root
   * may become read-only). */
  int fd = init_ops->mkdir_all_in_root (ctx->rootfd, ctx->spec->process->cwd, 0755, err);
  if (fd < 0)
    return tr_error_wrap (err, "process.cwd");
  close (fd);
  return 0;
}

/* rlimits and oom_score_adj apply to the init itself now, so that a
 * value the host refuses is an error of `create`, not of `start`. */
static int
step_process_limits (struct init_context *ctx, tr_error_t *err)
{
  if (init_ops->rlimits (ctx->spec->process, err) < 0)
    return -1;
  return init_ops->oom_score (ctx->spec->process, err);
}

/* linux.memoryPolicy: inherited by every child and kept across execve. */
static int
step_memory_policy (struct init_context *ctx, tr_error_t *err)
{
  const struct spec_linux *l = ctx->spec->linux_;
  return init_ops->mempolicy_apply (l ? l->memory_policy : NULL, err);
}

static int
step_runtime_hooks (struct init_context *ctx, tr_error_t *err)
{
  /* prestart and createRuntime run in the parent, in the runtime's
   * namespaces, now that ours exist. */
  if (sync_send (ctx->sync_fd, SYNC_CREATE_RUNTIME, 0, -1, err) < 0)
    return -1;
  return sync_expect (ctx->sync_fd, SYNC_CREATE_RUNTIME_DONE, NULL, NULL, err);
}

static int
step_create_container_hooks (struct init_context *ctx, tr_error_t *err)
{
  if (ctx->spec->hooks == NULL || ctx->spec->hooks->create_container.n == 0)
    return 0;
  cleanup_free char *state = state_for_hooks (ctx, "created", err);
  if (state == NULL)
    return -1;
  return init_ops->hooks_run (&ctx->spec->hooks->create_container, "createContainer", state, err);
}

static int
step_pivot_root (struct init_context *ctx, tr_error_t *err)
{
  if (init_ops->rootfs_pivot (ctx->rootfs, ctx->rootfd, rootfs_switch_of (ctx), err) < 0)
    return -1;
  close (ctx->rootfd);
  ctx->rootfd = -1;
  return 0;
}

/* As runc: with a /dev of its own, a stdio fd on the host's /dev/null
 * is moved to the container's. */
static int
step_dev_null (struct init_context *ctx, tr_error_t *err)
{
  if (mounts_have_bind_dev (ctx->spec))
    return 0;
  return init_ops->dev_null_reopen_stdio (err);
}

static int
step_paths (struct init_context *ctx, tr_error_t *err)
{
  const struct spec_linux *l = ctx->spec->linux_;
  if (l == NULL)
    return 0;
  if (init_ops->paths_mask (&l->masked_paths, err) < 0 || init_ops->paths_make_readonly (&l->readonly_paths, err) < 0)
    return -1;
  return 0;
}

static int
step_rootfs_finish (struct init_context *ctx, tr_error_t *err)
{
  return init_ops->rootfs_finish (ctx->spec, rootfs_switch_of (ctx), err);
}

static int
step_sysctl (struct init_context *ctx, tr_error_t *err)
{
  return init_ops->sysctl_apply (ctx->spec, err);
}

static int
step_prepare_process (struct init_context *ctx, tr_error_t *err)
{
  const struct spec_linux *l = ctx->spec->linux_;
  if (process_prepare (ctx->spec->process, &ctx->exec, err) < 0)
    return -1;
  if (l && l->seccomp
      && init_ops->seccomp_compile (l->seccomp, (struct seccomp_program **) &ctx->exec.seccomp, err) < 0)
    return -1;
  return 0;
}

/* A filter with SCMP_ACT_NOTIFY is useless until its listener has the
 * notify fd, and only the runtime (in the host's namespaces) can reach
 * listenerPath: load it now and hand the fd over.  From here on the
 * filter applies to the init's remaining steps too, as with runc. */
static int
step_seccomp_listener (struct init_context *ctx, tr_error_t *err)
{
  if (!seccomp_program_notifies (ctx->exec.seccomp))
    return 0;
  int fd;
  if (init_ops->seccomp_install (ctx->exec.seccomp, &fd, err) < 0)
    return -1;
  ctx->exec.seccomp = NULL;
  int ret = sync_send (ctx->sync_fd, SYNC_SECCOMP_FD, 0, fd, err);
  close (fd);
  return ret;
}

static int
step_ready (struct init_context *ctx, tr_error_t *err)
{
  if (sync_send (ctx->sync_fd, SYNC_READY, 0, ctx->pty_master, err) < 0)
    return -1;
  if (ctx->pty_master >= 0)
    close (ctx->pty_master);
  ctx->pty_master = -1;
  return 0;
}

/* While the runtime records the container (process.h). */
static int
step_signal_dispositions (struct init_context *ctx, tr_error_t *err)
{
  (void) err;
  process_reset_dispositions (&ctx->exec);
  return 0;
}

static const struct init_step create_steps[] = {
  { "protect the runtime binary", step_self_protect },
  { "join its cgroups", step_join_cgroups },
  { "wait for the runtime", step_wait_parent },
  { "die with the runtime", step_die_with_runtime },
  { "reset CPU affinity", step_reset_affinity },
  { "join namespaces", step_join_namespaces },
  { "loopback", step_loopback },
  { "cgroup namespace", step_cgroup_namespace },
  { "set hostname", step_hostname },
  { "session keyring", step_keyring },
  { "prepare rootfs", step_rootfs },
  { "proc mount destinations", step_proc_destinations },
  { "mounts", step_mounts },
  { "devices", step_devices },
  { "working directory", step_cwd },
  { "terminal", step_terminal },
  { "createRuntime hooks", step_runtime_hooks },
  { "createContainer hooks", step_create_container_hooks },
  { "pivot_root", step_pivot_root },
  { "reopen /dev/null", step_dev_null },
  { "sysctl", step_sysctl }, /* before /proc/sys becomes read-only */
  { "masked and read-only paths", step_paths },
  { "finish rootfs", step_rootfs_finish },
  { "process limits", step_process_limits },
  { "memory policy", step_memory_policy },
  { "prepare process", step_prepare_process },
  { "seccomp listener", step_seccomp_listener },
  { "ready", step_ready },
  { "signal dispositions", step_signal_dispositions },
  { "hand over", step_handover },
};

/* The end of a step, on the timeline (util/trace.h) while the runtime
 * still listens: after the hand over it would go to the container's
 * stderr. */
static void
trace_step (const struct init_context *ctx, const char *name)
{
  if (ctx->sync_fd < 0 || !trace_enabled ())
    return;
  char phase[96];
  snprintf (phase, sizeof phase, "init: %s", name);
  trace_mark (phase);
}

/* Block until `start` writes to exec.fifo (see container_start). */
static int
wait_for_start (struct init_context *ctx, tr_error_t *err)
{
  struct pollfd p = { .fd = ctx->fifo_fd, .events = POLLIN };
  for (;;)
    {
      int r = poll (&p, 1, -1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return tr_error (err, errno, "wait on exec.fifo");
      break;
    }
  char byte;
  ssize_t n;
  do
    n = read (ctx->fifo_fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    return tr_error (err, n < 0 ? errno : EPIPE, "read exec.fifo");
  /* The fd stays open until execve closes it (O_CLOEXEC): that is how
   * `start` knows the user process is running. */
  return 0;
}

/* After `create` returned, a failure (a startContainer hook, execve)
 * goes to start.error, which `start` reads once the init is gone. */
static _Noreturn void
die_after_create (struct init_context *ctx, tr_error_t *err)
{
  const char *msg = (*err)->msg;
  if (ctx->start_error_fd < 0 || write (ctx->start_error_fd, msg, strlen (msg)) < 0)
    fprintf (stderr, "tinyrun: start %s: %s\n", ctx->id, msg);
  _exit (INIT_EXIT_START_FAILED);
}

_Noreturn void
init_main (struct init_context *ctx)
{
  tr_error_t err = NULL;
  /* Until step_ready closes the channel, the runtime logs our warnings. */
  init_log_to_sync (&ctx->sync_fd);
  for (size_t i = 0; i < ctx->n_inherited_fds; i++)
    close (ctx->inherited_fds[i]);
  ctx->rootfd = -1;
  ctx->pty_master = -1;
  for (size_t i = 0; i < sizeof create_steps / sizeof create_steps[0]; i++)
    {
      if (create_steps[i].run (ctx, &err) < 0)
        {
          tr_error_wrap (&err, "%s", create_steps[i].name);
          sync_send_error (ctx->sync_fd, &err);
          _exit (1);
        }
      trace_step (ctx, create_steps[i].name);
    }

  if (wait_for_start (ctx, &err) < 0)
    die_after_create (ctx, &err);
  if (unpin (&err) < 0)
    die_after_create (ctx, &err);
  const struct spec_hooks *h = ctx->spec->hooks;
  if (h && h->start_container.n)
    {
      cleanup_free char *state = state_for_hooks (ctx, "created", &err);
      if (state == NULL || init_ops->hooks_run (&h->start_container, "startContainer", state, &err) < 0)
        die_after_create (ctx, &err);
    }
  process_finalize_and_exec (ctx->spec, ctx->spec->process, &ctx->exec, ctx->preserve_fds, &err);
  die_after_create (ctx, &err);
}
