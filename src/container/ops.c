/* start, kill, delete and state of an existing container. */
#include "config.h"
#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "container/container.h"
#include "container/entry.h"
#include "util/fileutil.h"
#include "linux/cpu_pin.h"
#include "linux/exec_watch.h"
#include "linux/hooks.h"
#include "linux/intelrdt.h"
#include "util/log.h"
#include "linux/procfs.h"
#include "linux/host_mounts.h"
#include "util/syscalls.h"
#include "util/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Load state.json; a missing one means the container does not exist (yet),
 * an unreadable one fails with EBADMSG and says why. */
static int
load_record (int dirfd, const char *id, struct container_state *st, tr_error_t *err)
{
  if (!file_exists_at (dirfd, STATE_FILE))
    return tr_error_plain (err, ENOENT, "container \"%s\" does not exist", id);
  tr_error_t cause = NULL;
  if (state_load (dirfd, st, &cause) == 0)
    return 0;
  tr_error_plain (err, EBADMSG, "container \"%s\": damaged %s (%s); `delete --force` removes it", id, STATE_FILE,
                  cause->msg);
  tr_error_free (&cause);
  return -1;
}

int
container_open (const char *root, const char *id, bool lock, struct container_state *st,
                enum container_status *status, tr_error_t *err)
{
  if (container_id_validate (id, err) < 0)
    return -1;
  cleanup_close int dirfd = state_dir_open (root, id, lock, err);
  if (dirfd < 0)
    return -1;
  if (load_record (dirfd, id, st, err) < 0)
    return -1;
  *status = container_status_of (dirfd, st);
  return steal_fd (&dirfd);
}

int
container_load (const char *root, const char *id, struct container_state *st, enum container_status *status,
                tr_error_t *err)
{
  int dirfd = container_open (root, id, false, st, status, err);
  if (dirfd < 0)
    return -1;
  close (dirfd);
  return 0;
}

char *
container_state_json (const char *root, const char *id, tr_error_t *err)
{
  struct container_state st = { 0 };
  enum container_status status;
  char *out = NULL;
  if (container_load (root, id, &st, &status, err) == 0)
    out = state_json_oci (&st, container_status_name (status), NULL, err);
  container_state_clear (&st);
  return out;
}

/* The spec as it was at create time, for hooks. */
static struct spec *
load_saved_spec (int dirfd, tr_error_t *err)
{
  size_t len;
  cleanup_free char *text = read_file_at (dirfd, STATE_CONFIG_FILE, &len, err);
  if (text == NULL)
    return NULL;
  return spec_parse (text, len, err);
}

/* The state JSON the hooks of a phase read on stdin; NULL (and nothing
 * to run) when the saved spec has no such hooks. */
static char *
hooks_state (const struct spec *spec, const struct container_state *st, enum container_status status,
             const hooklist **hooks, bool poststop, tr_error_t *err)
{
  *hooks = NULL;
  if (spec->hooks == NULL)
    return NULL;
  const hooklist *h = poststop ? &spec->hooks->poststop : &spec->hooks->poststart;
  if (h->n == 0)
    return NULL;
  *hooks = h;
  return state_json_oci (st, container_status_name (status), NULL, err);
}

/* The hooks of a phase, a failure being only a warning: poststop
 * (runtime-spec, lifecycle step 13), where a saved config that cannot be
 * read back is a warning too. */
static void
run_hooks_warn (int dirfd, const struct container_state *st, enum container_status status, bool poststop)
{
  /* create recorded that there is none: the saved config is not read. */
  if (poststop && st->no_poststop_hooks)
    return;
  tr_error_t err = NULL;
  cleanup_spec struct spec *spec = load_saved_spec (dirfd, &err);
  if (spec == NULL)
    {
      log_warning ("load saved config: %s", err->msg);
      tr_error_free (&err);
      return;
    }
  const hooklist *hooks;
  cleanup_free char *state = hooks_state (spec, st, status, &hooks, poststop, &err);
  if (state == NULL)
    {
      if (hooks)
        tr_error_ignore (&err, "hooks: state");
      return;
    }
  hooks_run_warn (hooks, poststop ? "poststop" : "poststart", state);
}

/* exec.fifo has one reader, the init, until its execve closes it
 * (O_CLOEXEC).  A writer's poll() reports POLLERR once no reader is left:
 * that is the moment the user process runs (or the init died).  Where
 * ptrace is allowed, its exec event tells the two apart.
 *
 * The order is the safe one: record the start by removing the fifo's name
 * (the status is "running" from then on), and only then open it (through
 * an O_PATH handle taken before: opening the fifo itself and closing it
 * again would wake the init) and let the init go.  A start that cannot
 * record (a read-only state root) fails with the init still waiting.
 * Returns 1 when the init exec'd (or it cannot be known), 0 when it died
 * first (how says how).  Without wait_exec, returns 1 once the init is
 * released. */
static int
release_init (int dirfd, const struct container_state *st, const char *id, bool wait_exec, char *how,
              size_t how_size, tr_error_t *err)
{
  cleanup_close int handle = openat (dirfd, EXEC_FIFO, O_PATH | O_CLOEXEC);
  if (handle < 0)
    return tr_error (err, errno, "open %s", EXEC_FIFO);
  if (unlinkat (dirfd, EXEC_FIFO, 0) < 0)
    return tr_error (err, errno, "record the start: remove %s", EXEC_FIFO);
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", handle);
  cleanup_close int fd = open (path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENXIO)
        return tr_error_plain (err, ESRCH, "container %s: its process is gone", id);
      return tr_error (err, errno, "open %s", EXEC_FIFO);
    }
  if (!wait_exec)
    return write (fd, "0", 1) == 1 ? 1 : tr_error (err, errno, "write %s", EXEC_FIFO);
  cleanup_error tr_error_t no_watch = NULL;
  bool watched = exec_watch_begin (st->pid, &no_watch) == 0;
  if (!watched)
    log_debug ("%s; start cannot tell an exec from an early death", no_watch->msg);
  if (write (fd, "0", 1) != 1)
    return tr_error (err, errno, "write %s", EXEC_FIFO);
  if (watched)
    return exec_watch_wait (st->pid, how, how_size, err);
  struct pollfd p = { .fd = fd, .events = 0 };
  while (poll (&p, 1, -1) < 0)
    if (errno != EINTR)
      return tr_error (err, errno, "wait for the container process to start");
  return 1;
}

/* Signal the init through a pidfd, after checking it is still the same
 * process: a recycled pid must never receive the signal. */
static int
signal_init (const struct container_state *st, int sig, tr_error_t *err)
{
  cleanup_close int pidfd = sys_pidfd_open (st->pid, 0);
  if (pidfd < 0 && errno != ENOSYS)
    return tr_error (err, errno, "container process %d", st->pid);
  if (!proc_pid_is (st->pid, st->start_time))
    return tr_error_plain (err, ESRCH, "container process %d has exited", st->pid);
  int r = pidfd >= 0 ? sys_pidfd_send_signal (pidfd, sig, NULL, 0) : kill (st->pid, sig);
  if (r < 0)
    return tr_error (err, errno, "kill %d", st->pid);
  return 0;
}

int
container_kill (const char *root, const char *id, int sig, bool all, tr_error_t *err)
{
  cleanup_container_state struct container_state st = { 0 };
  enum container_status status;
  if (container_load (root, id, &st, &status, err) < 0)
    return -1;
  if (status == STATUS_STOPPED && !all)
    return tr_error_plain (err, ESRCH, "container is not running");
  if (!all || st.cgroup_path == NULL || st.cgroup_path[0] == '\0')
    return signal_init (&st, sig, err);
  if (cgroup_signal_all (st.cgroup_path, sig, err) < 0)
    return -1;
  /* Frozen processes only act on a signal once thawed. */
  if (sig == SIGKILL && status == STATUS_PAUSED && cgroup_freeze (st.cgroup_path, false, err) < 0)
    return -1;
  return 0;
}

/* Wait (bounded) for a process that is not our child to exit. */
static void
wait_gone (const struct container_state *st)
{
  cleanup_close int pidfd = sys_pidfd_open (st->pid, 0);
  if (pidfd < 0)
    return;
  for (int i = 0; i < 100 && proc_pid_is (st->pid, st->start_time); i++)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      poll (&p, 1, 100);
    }
}

static int
force_stop (const struct container_state *st, enum container_status status, tr_error_t *err)
{
  if (st->cgroup_path && st->cgroup_path[0])
    {
      tr_error_t ignored = NULL;
      if (cgroup_signal_all (st->cgroup_path, SIGKILL, &ignored) < 0)
        tr_error_ignore (&ignored, "kill the container's cgroup");
      if (status == STATUS_PAUSED && cgroup_freeze (st->cgroup_path, false, &ignored) < 0)
        tr_error_ignore (&ignored, "thaw the container's cgroup");
    }
  if (proc_pid_is (st->pid, st->start_time) && kill (st->pid, SIGKILL) < 0 && errno != ESRCH)
    return tr_error (err, errno, "kill %d", st->pid);
  wait_gone (st);
  return 0;
}

/* poststart hooks: runtime-spec 1.3 (lifecycle step 9) and runc make a
 * failure an error of `start` that also stops the container, which is
 * then left for `delete` (`run` deletes it). */
static int
run_poststart_hooks (const struct spec *spec, const struct container_state *st, tr_error_t *err)
{
  const hooklist *hooks;
  cleanup_free char *state = hooks_state (spec, st, STATUS_RUNNING, &hooks, false, err);
  if (hooks == NULL)
    return 0;
  if (state == NULL || hooks_run (hooks, "poststart", state, err) < 0)
    {
      tr_error_t ignored = NULL;
      log_debug ("poststart failed: stopping the container's process %d", st->pid);
      if (force_stop (st, STATUS_RUNNING, &ignored) < 0)
        tr_error_ignore (&ignored, "stop the container after a failed poststart hook");
      return -1;
    }
  return 0;
}

/* What the init wrote to start.error (after create: a startContainer
 * hook, its execve), as start's error; 0 when nothing. */
static int
recorded_failure (int dirfd, tr_error_t *err)
{
  cleanup_free char *failure = read_file_at (dirfd, START_ERROR_FILE, NULL, NULL);
  if (failure && failure[0])
    return tr_error_plain (err, EIO, "%s", failure);
  return 0;
}

int
container_start (const char *root, const char *id, bool wait_exec, tr_error_t *err)
{
  cleanup_container_state struct container_state st = { 0 };
  enum container_status status;
  cleanup_close int dirfd = container_open (root, id, true, &st, &status, err);
  if (dirfd < 0)
    return -1;
  trace_mark ("start: state");
  if (status != STATUS_CREATED)
    return tr_error_plain (err, EINVAL, "cannot start a container that is %s", container_status_name (status));
  /* create recorded that there is a process and no poststart hook: the
   * saved config is not read. */
  cleanup_spec struct spec *spec = st.no_poststart_hooks ? NULL : load_saved_spec (dirfd, err);
  if (spec == NULL && !st.no_poststart_hooks)
    return tr_error_wrap (err, "saved config.json");
  /* create accepts a config without one: the spec asks for it at start. */
  if (spec && spec->process == NULL)
    return tr_error_plain (err, EINVAL, "config.json has no process: nothing to start (delete the container)");
  log_debug ("start %s: releasing init %d (cgroup %s)", id, st.pid, st.cgroup_path ? st.cgroup_path : "none");
  char how[128] = "";
  trace_mark ("start: config");
  /* Poststart hooks run once the process runs: then the exec is waited for. */
  bool wait = wait_exec || spec != NULL;
  int exec_seen = release_init (dirfd, &st, id, wait, how, sizeof how, err);
  cpu_pin_drop (); /* held since a `run`'s create cloned the init (linux/cpu_pin.h) */
  if (exec_seen < 0)
    return -1;
  trace_mark ("start: release the init");
  if (!wait)
    return 0;
  /* The init either executed the user process or wrote why it could not. */
  if (recorded_failure (dirfd, err) < 0)
    return -1;
  if (!exec_seen)
    return tr_error_plain (err, EIO, "the container process exited before it started (%s)", how);
  int ret = spec ? run_poststart_hooks (spec, &st, err) : 0;
  trace_mark ("start: poststart hooks");
  return ret;
}

int
container_start_failure (const char *root, const char *id, tr_error_t *err)
{
  /* Only a failure read there fails: a directory deleted meanwhile
   * (delete --force) or unreadable leaves the exit status as it is. */
  cleanup_close int dirfd = state_dir_open (root, id, false, err);
  if (dirfd < 0)
    {
      log_debug ("start.error of %s: %s", id, (*err)->msg);
      tr_error_free (err);
      return 0;
    }
  return recorded_failure (dirfd, err);
}

/* What delete undoes once the container's processes are gone: its cgroup
 * (when create made it; the levels above it that create made stay, as
 * runc and crun leave them: they are the common parent of the containers
 * below them, "/tinyrun" by default, and making and removing it again at
 * every container cost a mkdir and an rmdir per hierarchy),
 * mounts made outside a mount namespace, poststop hooks, the state
 * directory.  For a create that died half-way, its record says what it
 * had made or was about to make; poststop hooks run only if the create
 * got as far as its prestart/createRuntime hooks. */
static int
remove_container (const char *root, const char *id, int dirfd, const struct container_state *st, tr_error_t *err)
{
  /* cgroupTop "" (the cgroup existed before create) keeps the leaf too. */
  const char *top = st->cgroup_top && st->cgroup_top[0] ? st->cgroup_path : st->cgroup_top;
  if (st->cgroup_path && st->cgroup_path[0] && cgroup_destroy (cgroup_manager_of (st->systemd_cgroup), st->cgroup_path, top, err) < 0)
    return -1;
  if (st->mount_ns_shared && st->rootfs && host_mounts_release_recorded (dirfd, st->rootfs, err) < 0)
    return -1;
  if (rdt_release (dirfd, err) < 0)
    return -1;
  if (!st->creating || st->create_hooks_run)
    run_hooks_warn (dirfd, st, STATUS_STOPPED, true);
  return state_dir_remove (root, id, dirfd, err);
}

/* The cgroup of a container whose state.json is unreadable, derived as
 * create derives it: from linux.cgroupsPath of the saved config.json, or
 * "/tinyrun/<id>" without one. */
static char *
damaged_cgroup_path (int dirfd, const char *id)
{
  cleanup_error tr_error_t ignored = NULL;
  cleanup_spec struct spec *spec = load_saved_spec (dirfd, &ignored);
  const char *configured = spec && spec->linux_ ? spec->linux_->cgroups_path : NULL;
  return cgroup_resolve_path (configured, id, &ignored);
}

/* delete --force of a container whose state.json is damaged: its
 * processes are found by its cgroup, which is killed and removed (the leaf
 * only, never a level above it; nothing when it does not exist). */
static int
delete_damaged (const char *root, const char *id, int dirfd, tr_error_t *err)
{
  cleanup_free char *path = damaged_cgroup_path (dirfd, id);
  cleanup_error tr_error_t ignored = NULL;
  if (path && cgroup_destroy (CGROUP_MANAGER_CGROUPFS, path, path, &ignored) < 0)
    log_warning ("container %s: remove cgroup %s: %s", id, path, ignored->msg);
  return state_dir_remove (root, id, dirfd, err);
}

int
container_delete (const char *root, const char *id, bool force, tr_error_t *err)
{
  cleanup_container_state struct container_state st = { 0 };
  if (container_id_validate (id, err) < 0)
    return -1;
  /* delete --force of a container that is not there succeeds, as
   * containerd expects after a plain delete already removed it. */
  cleanup_close int dirfd = state_dir_open (root, id, true, err);
  if (dirfd < 0)
    {
      if (!force || (*err)->status != ENOENT)
        return -1;
      tr_error_free (err);
      return 0;
    }
  if (load_record (dirfd, id, &st, err) < 0)
    {
      if (!force)
        return -1;
      int status = (*err)->status;
      tr_error_free (err);
      /* No record: a create that died before writing its first one,
       * having made nothing but the directory. */
      if (status == ENOENT)
        return state_dir_remove (root, id, dirfd, err);
      return delete_damaged (root, id, dirfd, err);
    }
  /* Its scope is stopped over D-Bus (before the init is killed). */
  if (container_systemd_reachable (st.systemd_cgroup, err) < 0)
    return -1;
  enum container_status status = container_status_of (dirfd, &st);
  trace_mark ("delete: state");
  log_debug ("delete %s: %s, init %d, cgroup %s", id, container_status_name (status), st.pid,
             st.cgroup_path && st.cgroup_path[0] ? st.cgroup_path : "none");
  /* A created container has run nothing of the user's yet: like runc and
   * crun, delete kills its init without --force. */
  if (status != STATUS_STOPPED)
    {
      if (!force && status != STATUS_CREATED)
        return tr_error_plain (err, EBUSY, "cannot delete a container that is %s (use --force)",
                               container_status_name (status));
      if (force_stop (&st, status, err) < 0)
        return -1;
      trace_mark ("delete: stop");
    }
  int ret = remove_container (root, id, dirfd, &st, err);
  trace_mark ("delete: remove");
  return ret;
}
