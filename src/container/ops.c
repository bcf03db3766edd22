/* start, kill, delete and state of an existing container. */
#include "config.h"
#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "container/container.h"
#include "util/fileutil.h"
#include "linux/hooks.h"
#include "util/log.h"
#include "linux/procfs.h"
#include "linux/host_mounts.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

int
container_open (const char *root, const char *id, bool lock, struct container_state *st,
                enum container_status *status, tr_error_t *err)
{
  if (container_id_validate (id, err) < 0)
    return -1;
  cleanup_close int dirfd = state_dir_open (root, id, lock, err);
  if (dirfd < 0)
    return -1;
  if (state_load (dirfd, st, err) < 0)
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

static void
run_hooks_warn (int dirfd, const struct container_state *st, enum container_status status, bool poststop)
{
  tr_error_t err = NULL;
  cleanup_spec struct spec *spec = load_saved_spec (dirfd, &err);
  if (spec == NULL)
    {
      log_warning ("load saved config: %s", err->msg);
      tr_error_free (&err);
      return;
    }
  if (spec->hooks == NULL)
    return;
  const hooklist *hooks = poststop ? &spec->hooks->poststop : &spec->hooks->poststart;
  if (hooks->n == 0)
    return;
  cleanup_free char *state = state_json_oci (st, container_status_name (status), NULL, &err);
  if (state == NULL)
    {
      tr_error_free (&err);
      return;
    }
  hooks_run_warn (hooks, poststop ? "poststop" : "poststart", state);
}

/* exec.fifo has one reader, the init, until its execve closes it
 * (O_CLOEXEC).  A writer's poll() reports POLLERR once no reader is left:
 * that is the moment the user process runs (or the init died). */
static int
release_init (int dirfd, const char *id, tr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENXIO)
        return tr_error_plain (err, ESRCH, "container %s: its process is gone", id);
      return tr_error (err, errno, "open %s", EXEC_FIFO);
    }
  if (write (fd, "0", 1) != 1)
    return tr_error (err, errno, "write %s", EXEC_FIFO);
  if (unlinkat (dirfd, EXEC_FIFO, 0) < 0)
    return tr_error (err, errno, "remove %s", EXEC_FIFO);
  struct pollfd p = { .fd = fd, .events = 0 };
  while (poll (&p, 1, -1) < 0)
    if (errno != EINTR)
      return tr_error (err, errno, "wait for the container process to start");
  return 0;
}

int
container_start (const char *root, const char *id, tr_error_t *err)
{
  cleanup_container_state struct container_state st = { 0 };
  enum container_status status;
  cleanup_close int dirfd = container_open (root, id, true, &st, &status, err);
  if (dirfd < 0)
    return -1;
  if (status != STATUS_CREATED)
    return tr_error_plain (err, EINVAL, "cannot start a container that is %s", container_status_name (status));
  if (release_init (dirfd, id, err) < 0)
    return -1;
  /* The init either executed the user process or wrote why it could not. */
  cleanup_free char *failure = read_file_at (dirfd, START_ERROR_FILE, NULL, NULL);
  if (failure && failure[0])
    return tr_error_plain (err, EIO, "%s", failure);
  run_hooks_warn (dirfd, &st, STATUS_RUNNING, false);
  return 0;
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

/* What delete undoes once the container's processes are gone: its cgroup
 * (when create made it, with the levels above it that create made),
 * mounts made outside a mount namespace, poststop hooks, the state
 * directory. */
static int
remove_container (const char *root, const char *id, int dirfd, const struct container_state *st, tr_error_t *err)
{
  if (st->cgroup_path && st->cgroup_path[0] && cgroup_destroy (cgroup_manager_of (st->systemd_cgroup), st->cgroup_path, st->cgroup_top, err) < 0)
    return -1;
  if (st->mount_ns_shared && st->rootfs && host_mounts_release_recorded (dirfd, st->rootfs, err) < 0)
    return -1;
  run_hooks_warn (dirfd, st, STATUS_STOPPED, true);
  return state_dir_remove (root, id, err);
}

int
container_delete (const char *root, const char *id, bool force, tr_error_t *err)
{
  cleanup_container_state struct container_state st = { 0 };
  enum container_status status;
  cleanup_close int dirfd = container_open (root, id, true, &st, &status, err);
  if (dirfd < 0)
    {
      /* delete --force of a container that is not there succeeds, as
       * containerd expects after a plain delete already removed it. */
      if (!force || (*err)->status != ENOENT || container_id_validate (id, NULL) < 0)
        return -1;
      tr_error_free (err);
      return state_dir_remove (root, id, err);
    }
  if (status != STATUS_STOPPED)
    {
      if (!force)
        return tr_error_plain (err, EBUSY, "cannot delete a container that is %s (use --force)",
                               container_status_name (status));
      if (force_stop (&st, status, err) < 0)
        return -1;
    }
  return remove_container (root, id, dirfd, &st, err);
}
