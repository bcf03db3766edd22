/* `create`: from a bundle to an init blocked on exec.fifo.
 *
 * Everything made here is recorded in struct creation and undone by
 * rollback() on any failure, so a failed create leaves no process, cgroup
 * or state directory behind.
 *
 * A create that is killed cannot roll back, so it records before it
 * makes: right after the state directory exists (and is locked) a
 * "creating" state.json names the cgroup and the levels of it this create
 * is about to make, the rootfs whose host mounts it may make, and the
 * creator; it is rewritten when the cgroup exists, once the init has been
 * told to go on (its pid and start time), and before the first runtime
 * hook.
 * `delete --force` undoes from it what a dead create left; the init
 * itself dies with its creator (PR_SET_PDEATHSIG, see init.c) until the
 * final record is written and the init is handed over (SYNC_HANDOVER). */
#include "config.h"
#include "cgroup/cgroup.h"
#include "cgroup/mount_plan.h"
#include "cgroup/root_fd.h"
#include "linux/idmap_mount.h"
#include "linux/mount_sources.h"
#include "util/cleanup.h"
#include "container/container.h"
#include "container/entry.h"
#include "container/validate.h"
#include "util/fileutil.h"
#include "linux/hooks.h"
#include "linux/intelrdt.h"
#include "util/log.h"
#include "linux/namespaces.h"
#include "linux/netdev.h"
#include "linux/cpu_pin.h"
#include "linux/netns_ahead.h"
#include "linux/rootless.h"
#include "linux/procfs.h"
#include "linux/seccomp.h"
#include "linux/host_mounts.h"
#include "init/spawn.h"
#include "init/sync.h"
#include "linux/terminal.h"
#include "linux/pidfd_socket.h"
#include "oci-spec/json_scan.h"
#include "util/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct creation
{
  const struct create_options *o;
  char *bundle;
  char *config_text;
  size_t config_len;
  struct spec *spec;
  char *rootfs;
  char *cgroup_path;
  char *cgroup_top;
  char *planned_top; /* what cgroup_create is expected to make (the record before it) */
  bool cgroup_missing; /* planning saw the container's level in no hierarchy */
  unsigned long long start_time; /* of pid */
  unsigned long long creator_start_time;
  bool hooks_run;
  bool stand_in; /* config.json has no process: start must read it to refuse */
  struct cgroup_mount_plan cgroup_mounts;
  struct ns_plan plan;
  int join_fds[NS_COUNT];
  struct cgroup_join cgroup_join; /* the init joins its v1 cgroups itself (n > 0) */
  struct netns_ahead netns;       /* the new network namespace, made meanwhile */
  struct host_mounts host_mounts_before; /* without a mount namespace: what was there */

  /* Resources, in the order they are made. */
  int state_dirfd;
  bool cgroup_made;
  int cgroup_fd;
  int fifo_fd;
  int start_error_fd;
  int console_fd;
  int sync_fds[2];
  pid_t pid;
  int pty_master;
};

static void
rollback (struct creation *c)
{
  tr_error_t ignored = NULL;
  if (c->pid > 0)
    {
      kill (c->pid, SIGKILL);
      waitpid (c->pid, NULL, 0);
    }
  if (c->spec && c->rootfs && spec_find_namespace (c->spec, NS_MOUNT) == NULL && c->host_mounts_before.ids
      && host_mounts_release_new (c->rootfs, &c->host_mounts_before, &ignored) < 0)
    tr_error_ignore (&ignored, "rollback: unmount");
  if (c->cgroup_made && cgroup_destroy (cgroup_manager_of (c->o->systemd_cgroup), c->cgroup_path, c->cgroup_top, &ignored) < 0)
    tr_error_ignore (&ignored, "rollback: remove cgroup");
  if (c->state_dirfd >= 0 && rdt_release (c->state_dirfd, &ignored) < 0)
    tr_error_ignore (&ignored, "rollback: remove the resctrl group");
  if (c->state_dirfd >= 0 && state_dir_remove (c->o->root, c->o->id, c->state_dirfd, &ignored) < 0)
    tr_error_ignore (&ignored, "rollback: remove state");
  tr_error_free (&ignored);
}

static void
release (struct creation *c)
{
  int *fds[] = { &c->state_dirfd, &c->cgroup_fd, &c->fifo_fd, &c->start_error_fd, &c->console_fd, &c->sync_fds[0], &c->sync_fds[1],
                 &c->pty_master };
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      close (steal_fd (fds[i]));
  for (size_t i = 0; i < c->plan.n_join; i++)
    if (c->join_fds[i] >= 0)
      close (c->join_fds[i]);
  netns_ahead_release (&c->netns);
  free (c->bundle);
  free (c->config_text);
  free (c->rootfs);
  free (c->cgroup_path);
  free (c->cgroup_top);
  host_mounts_clear (&c->host_mounts_before);
  free (c->planned_top);
  cgroup_join_clear (&c->cgroup_join);
  cgroup_mount_plan_clear (&c->cgroup_mounts);
  spec_free (c->spec);
}

static int
load_bundle (struct creation *c, tr_error_t *err)
{
  c->bundle = make_absolute (c->o->bundle ? c->o->bundle : ".", err);
  if (c->bundle == NULL)
    return -1;
  cleanup_free char *config = path_join (c->bundle, "config.json");
  /* A FIFO, a device or a huge file must not hang or swamp create; a
   * symlink to a regular file is fine (runc opens it as any file). */
  c->config_text = read_regular_file_at (AT_FDCWD, config, "config.json", JSON_MAX_CONFIG, &c->config_len, err);
  if (c->config_text == NULL)
    return tr_error_wrap (err, "load bundle %s", c->bundle);
  c->spec = spec_parse (c->config_text, c->config_len, err);
  if (c->spec == NULL)
    return -1;
  if (c->spec->root == NULL)
    return tr_error_plain (err, EINVAL, "config.json: root: required");
  /* Lexically clean ("bundle/." → "bundle"): the path is compared with
   * mount points later. */
  const char *root = c->spec->root->path;
  cleanup_free char *joined = root[0] == '/' ? strdup (root) : path_join (c->bundle, root);
  if (joined == NULL)
    return tr_error (err, ENOMEM, "root.path");
  c->rootfs = make_absolute (joined, err);
  if (c->rootfs == NULL)
    return -1;
  struct stat st;
  if (stat (c->rootfs, &st) < 0)
    return tr_error (err, errno, "root.path: %s", c->rootfs);
  if (!S_ISDIR (st.st_mode))
    return tr_error (err, ENOTDIR, "root.path: %s", c->rootfs);
  return 0;
}

/* The state as far as it is known now; creating until the final record. */
static void
describe (const struct creation *c, bool creating, struct container_state *st)
{
  *st = (struct container_state){
    .id = (char *) c->o->id,
    .pid = c->pid,
    .start_time = c->start_time,
    .bundle = c->bundle,
    .rootfs = c->rootfs,
    .owner = "",
    .annotations = c->spec->annotations,
    .cgroup_path = c->cgroup_path,
    .cgroup_top = c->cgroup_made ? (c->cgroup_top ? c->cgroup_top : (char *) "") : c->planned_top,
    .systemd_cgroup = c->o->systemd_cgroup,
    .pid_ns_shared = spec_find_namespace (c->spec, NS_PID) == NULL,
    .mount_ns_shared = spec_find_namespace (c->spec, NS_MOUNT) == NULL,
    .creating = creating,
    .creator_pid = getpid (),
    .creator_start_time = c->creator_start_time,
    .create_hooks_run = c->hooks_run,
    .no_poststop_hooks = c->spec->hooks == NULL || c->spec->hooks->poststop.n == 0,
    .no_poststart_hooks = !c->stand_in && (c->spec->hooks == NULL || c->spec->hooks->poststart.n == 0),
  };
}

/* (Re)write the creating record, atomically and under the lock. */
static int
record_creating (struct creation *c, tr_error_t *err)
{
  struct container_state st;
  describe (c, true, &st);
  return state_save (c->state_dirfd, &st, err);
}

/* What the first record needs before anything exists. */
static int
plan_record (struct creation *c, tr_error_t *err)
{
  const struct spec_linux *l = c->spec->linux_;
  c->cgroup_path = cgroup_resolve (cgroup_manager_of (c->o->systemd_cgroup), l ? l->cgroups_path : NULL, c->o->id, err);
  if (c->cgroup_path == NULL)
    return -1;
  return proc_pid_stat (getpid (), &c->creator_start_time, NULL, err);
}

/* The state directory, locked, with the first creating record in it. */
static int
make_state_dir (struct creation *c, tr_error_t *err)
{
  c->state_dirfd = state_dir_create (c->o->root, c->o->id, err);
  if (c->state_dirfd < 0)
    return -1;
  c->planned_top = cgroup_planned_top (c->cgroup_path, &c->cgroup_missing);
  if (c->planned_top == NULL)
    return tr_error (err, ENOMEM, "cgroup %s", c->cgroup_path);
  if (record_creating (c, err) < 0)
    return -1;
  if (write_file_atomic_at (c->state_dirfd, STATE_CONFIG_FILE, c->config_text, c->config_len, 0600, err) < 0)
    return -1;
  if (mkfifoat (c->state_dirfd, EXEC_FIFO, 0600) < 0)
    return tr_error (err, errno, "mkfifo %s", EXEC_FIFO);
  /* Opened by us, inherited by the init: a reader that never blocks on
   * open.  See wait_for_start() in init.c and container_start(). */
  c->fifo_fd = openat (c->state_dirfd, EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (c->fifo_fd < 0)
    return tr_error (err, errno, "open %s", EXEC_FIFO);
  c->start_error_fd = openat (c->state_dirfd, START_ERROR_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (c->start_error_fd < 0)
    return tr_error (err, errno, "create %s", START_ERROR_FILE);
  return 0;
}

static bool
has_cgroup_mount (const struct spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const char *t = spec->mounts[i].type;
      if (t && (strcmp (t, "cgroup") == 0 || strcmp (t, "cgroup2") == 0))
        return true;
    }
  return false;
}

static int
make_cgroup (struct creation *c, tr_error_t *err)
{
  const struct spec_linux *l = c->spec->linux_;
  enum cgroup_manager m = cgroup_manager_of (c->o->systemd_cgroup);
  trace_mark ("create: state");
  /* On failure cgroup_create removed what it made. */
  if (cgroup_create (m, c->cgroup_path, l ? l->resources : NULL, c->cgroup_missing, &c->cgroup_fd, &c->cgroup_top, err)
      < 0)
    {
      if (cgroup_rootless_fallback (m, l ? l->resources : NULL, err) < 0)
        return -1;
      /* Rootless without a cgroup: recorded as none; a cgroup mount shows
       * the ones we are in. */
      c->cgroup_path[0] = '\0';
      c->planned_top[0] = '\0';
      if (record_creating (c, err) < 0)
        return -1;
      return has_cgroup_mount (c->spec) ? cgroup_mount_plan_own (&c->cgroup_mounts, err) : 0;
    }
  trace_mark ("create: cgroup");
  c->cgroup_made = true;
  /* The record before names the levels planned; rewritten only when
   * those made differ (levels made meanwhile by someone else). */
  if (strcmp (c->cgroup_top ? c->cgroup_top : "", c->planned_top) != 0 && record_creating (c, err) < 0)
    return -1;
  /* As root and without a user namespace of its own, the init moves
   * itself (linux/cgroup_join.h); otherwise the runtime moves it. */
  if (geteuid () == 0 && !c->plan.new_user && cgroup_join_open (m, c->cgroup_path, &c->cgroup_join, err) < 0)
    return -1;
  return has_cgroup_mount (c->spec) ? cgroup_mount_plan_make (c->cgroup_path, &c->cgroup_mounts, err) : 0;
}

static char *
creating_state (struct creation *c, const char *status, tr_error_t *err)
{
  struct container_state st = {
    .id = (char *) c->o->id,
    .pid = c->pid,
    .bundle = c->bundle,
    .annotations = c->spec->annotations,
  };
  return state_json_oci (&st, status, NULL, err);
}

static int
run_runtime_hooks (struct creation *c, tr_error_t *err)
{
  const struct spec_hooks *h = c->spec->hooks;
  if (h == NULL || (h->prestart.n == 0 && h->create_runtime.n == 0))
    return 0;
  cleanup_free char *state = creating_state (c, "created", err);
  if (state == NULL)
    return -1;
  if (hooks_run (&h->prestart, "prestart", state, err) < 0)
    return -1;
  return hooks_run (&h->create_runtime, "createRuntime", state, err);
}

/* The parent's half of the handshake documented in sync.h. */
/* With a new user namespace the init cannot be trusted to reach every
 * bind source as its unprivileged uid: open them here, with the runtime's
 * rights, inside its mount namespace, and hand the fds down.  Idmapped
 * mounts are made here too, with or without a user namespace. */
static int
send_mount_sources (struct creation *c, int sock, tr_error_t *err)
{
  cleanup_mount_sources struct mount_sources s = { 0 };
  if (mount_sources_open (c->spec, c->bundle, c->pid, &s, err) < 0)
    return -1;
  for (size_t i = 0; i < s.n; i++)
    if (s.fds[i] >= 0 && sync_send (sock, SYNC_MOUNT_SOURCE, (int32_t) i, s.fds[i], err) < 0)
      return -1;
  return sync_send (sock, SYNC_MOUNT_SOURCE, -1, -1, err);
}

static int
drive_init (struct creation *c, bool in_cgroup, bool self_joined, tr_error_t *err)
{
  int sock = c->sync_fds[0];
  /* v1 hierarchies cannot be joined through clone3 (the init joins them
   * itself, or is moved here), and systemd starts a scope only with a
   * process in it. */
  const struct spec_resources *res = c->spec->linux_ ? c->spec->linux_->resources : NULL;
  if (self_joined)
    {
      if (!in_cgroup && cgroup_enter_v2 (c->cgroup_path, c->pid, err) < 0)
        return -1;
    }
  else if ((!in_cgroup || cgroup_layout () != CGROUP_LAYOUT_UNIFIED) && c->cgroup_path[0]
           && cgroup_enter_init (cgroup_manager_of (c->o->systemd_cgroup), c->cgroup_path, res, c->pid, err) < 0)
    return -1;
  trace_mark ("create: cgroup.procs");
  /* As runc, with the cgroup: before the init runs anything of its own. */
  if (c->spec->linux_ && c->spec->linux_->intel_rdt
      && rdt_apply (c->spec->linux_->intel_rdt, c->o->id, c->pid, c->state_dirfd, err) < 0)
    return -1;
  /* The namespace made ahead goes with it: the task had the clone and
   * the cgroup joins to finish in (linux/netns_ahead.h). */
  int netns_fd = netns_ahead_take (&c->netns, err);
  if (netns_fd < 0 && *err)
    return -1;
  if (sync_send (sock, SYNC_PARENT_READY, c->pid, netns_fd, err) < 0)
    return -1;
  if ((c->plan.new_user || idmap_mounts_in_spec (c->spec)) && send_mount_sources (c, sock, err) < 0)
    return -1;
  /* The init's pid and start time, recorded while it goes on: killed
   * before this record, the init dies with us all the same (its death
   * signal, or EOF on the channel) and delete --force finds it in the
   * cgroup. */
  if (record_creating (c, err) < 0)
    return -1;
  trace_mark ("create: record the init");
  if (sync_expect (sock, SYNC_CREATE_RUNTIME, NULL, NULL, err) < 0)
    return -1;
  trace_mark ("create: wait for the init's mounts");
  /* Its network namespace is final now (created or joined): the devices
   * go in before the createRuntime hooks run, as with runc. */
  if (c->spec->linux_ && netdev_move_all (&c->spec->linux_->net_devices, c->pid, err) < 0)
    return -1;
  c->hooks_run = c->spec->hooks && (c->spec->hooks->prestart.n || c->spec->hooks->create_runtime.n);
  if (c->hooks_run && record_creating (c, err) < 0)
    return -1;
  if (run_runtime_hooks (c, err) < 0)
    return -1;
  if (sync_send (sock, SYNC_CREATE_RUNTIME_DONE, 0, -1, err) < 0)
    return -1;
  trace_mark ("create: runtime hooks");
  const struct spec_seccomp *sc = c->spec->linux_ ? c->spec->linux_->seccomp : NULL;
  if (seccomp_spec_uses_notify (sc))
    {
      cleanup_close int notify_fd = -1;
      cleanup_free char *state = creating_state (c, "created", err);
      if (state == NULL || sync_expect (sock, SYNC_SECCOMP_FD, NULL, &notify_fd, err) < 0)
        return -1;
      if (notify_fd < 0)
        return tr_error_plain (err, EPROTO, "linux.seccomp: no notify fd from the container");
      if (seccomp_send_to_listener (sc, notify_fd, c->pid, state, err) < 0)
        return -1;
    }
  if (sync_expect (sock, SYNC_READY, NULL, &c->pty_master, err) < 0)
    return -1;
  trace_mark ("create: wait for the init's ready");
  if (c->pty_master >= 0 && c->console_fd >= 0)
    {
      if (terminal_send_master (c->console_fd, c->pty_master, err) < 0)
        return -1;
      close (steal_fd (&c->pty_master));
    }
  return 0;
}

/* linux.resources.memory when it sets a limit (and there is a cgroup). */
static const struct spec_memory *
memory_limit (const struct creation *c)
{
  const struct spec_resources *res = c->spec->linux_ ? c->spec->linux_->resources : NULL;
  if (res == NULL || res->memory == NULL || !res->memory->limit.set || res->memory->limit.v < 0 || c->cgroup_path == NULL)
    return NULL;
  return res->memory;
}

/* A memory limit too small for the init gets it killed by the OOM killer
 * as soon as it is in the cgroup; the runtime then only sees the sync
 * channel close.  Say so when the cgroup's OOM kill counter went up since
 * before the clone (kills_before). */
static int
explain_oom (struct creation *c, uint64_t kills_before, tr_error_t *err)
{
  const struct spec_memory *m = memory_limit (c);
  uint64_t kills = 0;
  if (m == NULL || cgroup_oom_kills (c->cgroup_path, &kills, NULL) < 0 || kills <= kills_before)
    return -1;
  return tr_error_plain (err, ENOMEM,
                         "linux.resources.memory.limit: the container was killed by the OOM killer during create "
                         "(limit %lld bytes)",
                         (long long) m->limit.v);
}

static int
start_init (struct creation *c, tr_error_t *err)
{
  if (ns_open_joins (&c->plan, c->join_fds, err) < 0)
    return -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sync_fds) < 0)
    return tr_error (err, errno, "socketpair");
  struct init_context ctx = {
    .id = c->o->id,
    .spec = c->spec,
    .rootfs = c->rootfs,
    .bundle = c->bundle,
    .cgroup_mounts = &c->cgroup_mounts,
    .plan = &c->plan,
    .join_fds = c->join_fds,
    .netns_ahead = netns_ahead_pending (&c->netns),
    .netns_ahead_fd = -1,
    .cgroup_join = &c->cgroup_join,
    .sync_fd = c->sync_fds[1],
    .fifo_fd = c->fifo_fd,
    .start_error_fd = c->start_error_fd,
    .no_pivot = c->o->no_pivot,
    .no_new_keyring = c->o->no_new_keyring,
    .rootless = geteuid () != 0,
    .in_user_ns = rootless_in_user_ns (),
    .preserve_fds = c->o->preserve_fds,
    .exec = { .listen_fds = c->o->listen_fds },
  };
  int inherited[] = { c->state_dirfd, c->cgroup_fd, c->console_fd, cgroupfs_prepare () };
  for (size_t i = 0; i < sizeof inherited / sizeof inherited[0]; i++)
    if (inherited[i] >= 0)
      ctx.inherited_fds[ctx.n_inherited_fds++] = inherited[i];
  bool in_cgroup = false;
  c->pid = spawn_init (&ctx, c->cgroup_fd, c->sync_fds[0], &in_cgroup, err);
  if (c->pid < 0)
    {
      c->pid = 0;
      return -1;
    }
  trace_mark ("create: clone");
  bool self_joined = c->cgroup_join.n > 0; /* the init's copies do the joining */
  cgroup_join_clear (&c->cgroup_join);
  if (proc_pid_stat (c->pid, &c->start_time, NULL, err) < 0)
    return tr_error_wrap (err, "container process");
  close (steal_fd (&c->sync_fds[1]));
  close (steal_fd (&c->fifo_fd));
  close (steal_fd (&c->start_error_fd));
  return drive_init (c, in_cgroup, self_joined, err);
}

/* The init from its clone to SYNC_READY (with clone3 into a v2 cgroup it
 * may die inside spawn_init already). */
static int
spawn (struct creation *c, tr_error_t *err)
{
  uint64_t kills_before = 0;
  /* Counted only where a limit could explain a death (two lookups less). */
  if (memory_limit (c))
    cgroup_oom_kills (c->cgroup_path, &kills_before, NULL);
  if (start_init (c, err) < 0)
    return explain_oom (c, kills_before, err);
  return 0;
}


static int
record_state (struct creation *c, tr_error_t *err)
{
  struct container_state st;
  describe (c, false, &st);
  cleanup_free char *created = rfc3339_now ();
  st.created = created;
  if (state_save (c->state_dirfd, &st, err) < 0)
    return -1;
  if (c->o->pid_file && write_pid_file (c->o->pid_file, c->pid, err) < 0)
    return -1;
  if (c->o->pidfd_socket && pidfd_send_to (c->o->pidfd_socket, c->pid, "standard", err) < 0)
    return -1;
  return 0;
}

/* A config without process still gets an init, which holds the
 * namespaces and waits on exec.fifo; `start` reads the saved config and
 * refuses before releasing it, so this stand-in (cwd "/", root, no
 * capabilities, an args[0] that names no file) is never executed. */
static int
stand_in_process (struct spec *spec, tr_error_t *err)
{
  if (spec->process)
    return 0;
  struct spec_process *p = arena_alloc (&spec->arena, sizeof *p);
  char **args = arena_alloc (&spec->arena, 2 * sizeof (char *));
  if (p == NULL || args == NULL)
    return tr_error (err, ENOMEM, "process");
  *p = (struct spec_process){ 0 };
  args[0] = arena_strdup (&spec->arena, "./");
  args[1] = NULL;
  p->cwd = arena_strdup (&spec->arena, "/");
  if (args[0] == NULL || p->cwd == NULL)
    return tr_error (err, ENOMEM, "process");
  p->args = (strlist){ args, 1 };
  spec->process = p;
  log_debug ("config.json has no process: the init waits without one, start will refuse");
  return 0;
}

/* Recorded: the init may now outlive us (it clears its death signal). */
static int
hand_over (struct creation *c, tr_error_t *err)
{
  /* The value: whether the init stays on our CPU until our own start. */
  if (sync_send (c->sync_fds[0], SYNC_HANDOVER, c->o->start_follows, -1, err) < 0)
    return -1;
  return sync_expect (c->sync_fds[0], SYNC_HANDOVER_DONE, NULL, NULL, err);
}

/* A new network namespace that clone would make in the runtime's own user
 * namespace is made by a helper task meanwhile (linux/netns_ahead.h). */
static bool
netns_ahead_wanted (const struct creation *c)
{
  const struct ns_plan *p = &c->plan;
  return (p->new_flags & CLONE_NEWNET) && !p->new_user && !p->intermediate && geteuid () == 0 && !rootless_in_user_ns ()
         && netns_ahead_supported ();
}

static int
create_steps (struct creation *c, tr_error_t *err)
{
  if (container_id_validate (c->o->id, err) < 0 || load_bundle (c, err) < 0
      || container_protect_binary (c->spec, false, err) < 0)
    return -1;
  trace_mark ("create: parse");
  c->stand_in = c->spec->process == NULL;
  if (container_validate (c->spec, c->o, err) < 0 || stand_in_process (c->spec, err) < 0
      || ns_plan_build (c->spec, &c->plan, err) < 0)
    return -1;
  trace_mark ("create: validate");
  if (c->o->console_socket)
    {
      c->console_fd = terminal_connect_socket (c->o->console_socket, err);
      if (c->console_fd < 0)
        return -1;
    }
  bool host_ns = spec_find_namespace (c->spec, NS_MOUNT) == NULL;
  if (plan_record (c, err) < 0)
    return -1;
  /* Before the task: from here on cgroupfs is reached without a walk
   * through sysfs, in which making the task's namespace takes a lock
   * (cgroup/root_fd.h). */
  cgroupfs_prepare ();
  if (netns_ahead_wanted (c))
    netns_ahead_start (&c->netns);
  if (make_state_dir (c, err) < 0 || make_cgroup (c, err) < 0)
    return -1;
  if (host_ns && host_mounts_list (c->rootfs, &c->host_mounts_before, err) < 0)
    return -1;
  seccomp_preload (c->o->root, c->spec->linux_ ? c->spec->linux_->seccomp : NULL);
  trace_mark ("create: seccomp");
  /* Held until the caller released the init (linux/cpu_pin.h). */
  cpu_pin_hold ();
  if (spawn (c, err) < 0)
    return -1;
  if (host_ns && host_mounts_record (c->state_dirfd, c->rootfs, &c->host_mounts_before, err) < 0)
    return -1;
  if (record_state (c, err) < 0)
    return -1;
  trace_mark ("create: record the state");
  return hand_over (c, err);
}

int
container_create (const struct create_options *o, struct created_container *out, tr_error_t *err)
{
  struct creation c = {
    .o = o,
    .state_dirfd = -1,
    .cgroup_fd = -1,
    .fifo_fd = -1,
    .start_error_fd = -1,
    .console_fd = -1,
    .sync_fds = { -1, -1 },
    .pty_master = -1,
    .netns = NETNS_AHEAD_INIT,
  };
  int ret = create_steps (&c, err);
  trace_mark ("create: hand over");
  if (!o->start_follows)
    cpu_pin_drop ();
  if (ret < 0)
    rollback (&c);
  else
    {
      out->pid = c.pid;
      out->pty_master = steal_fd (&c.pty_master);
    }
  release (&c);
  return ret;
}
