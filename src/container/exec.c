/* `exec`: which process to run (a process.json, or the container's own
 * process with the command line's changes), then exec.c starts it. */
#include "config.h"
#include "linux/lsm.h"
#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "container/exec.h"
#include "container/entry.h"
#include "init/exec_spawn.h"
#include "util/fileutil.h"
#include "container/supervise.h"
#include "container/validate.h"
#include "linux/caps.h"
#include "linux/seccomp.h"
#include "linux/self_protect.h"
#include "linux/pidfd_socket.h"
#include "linux/terminal.h"
#include "util/fd_passing.h"
#include "util/log.h"
#include "linux/tty_relay.h"
#include "oci-spec/json_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char **
strv_append (struct arena *a, const strlist *base, char *const *more, size_t n_more, size_t *n_out)
{
  char **v = arena_alloc (a, (base->n + n_more + 1) * sizeof (char *));
  size_t n = 0;
  for (size_t i = 0; v && i < base->n; i++)
    v[n++] = base->v[i];
  for (size_t i = 0; v && i < n_more; i++)
    v[n++] = more[i];
  *n_out = n;
  return v;
}

/* --env K=V replaces an inherited K. */
static void
merge_env (struct arena *a, strlist *env, char *const *add, size_t n_add)
{
  size_t n;
  char **v = strv_append (a, env, NULL, 0, &n);
  char **out = arena_alloc (a, (n + n_add + 1) * sizeof (char *));
  if (v == NULL || out == NULL)
    return;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    {
      size_t klen = strcspn (v[i], "=");
      bool overridden = false;
      for (size_t j = 0; j < n_add; j++)
        overridden |= strncmp (add[j], v[i], klen) == 0 && add[j][klen] == '=';
      if (!overridden)
        out[k++] = v[i];
    }
  for (size_t j = 0; j < n_add; j++)
    out[k++] = add[j];
  env->v = out;
  env->n = k;
}

static void
add_caps (struct arena *a, struct spec_process *p, char *const *caps, size_t n)
{
  if (n == 0)
    return;
  struct spec_capabilities *c = arena_alloc (a, sizeof *c);
  if (c == NULL)
    return;
  if (p->capabilities)
    *c = *p->capabilities;
  strlist *sets[] = { &c->bounding, &c->effective, &c->permitted };
  for (size_t i = 0; i < 3; i++)
    {
      size_t count;
      char **v = strv_append (a, sets[i], caps, n, &count);
      if (v)
        *sets[i] = (strlist){ v, count };
    }
  p->capabilities = c;
}

/* What a process.json leaves out is the container's, as in runc
 * (libcontainer's newInitConfig): its capabilities, noNewPrivileges, LSM
 * labels, rlimits and execCPUAffinity, never the runtime's own (full)
 * privileges. */
static void
inherit_unset (struct spec_process *p, const struct spec_process *c)
{
  if (p->capabilities == NULL)
    p->capabilities = c->capabilities;
  if (!p->no_new_privileges.set)
    p->no_new_privileges = c->no_new_privileges;
  if (p->apparmor_profile == NULL)
    p->apparmor_profile = c->apparmor_profile;
  if (p->selinux_label == NULL)
    p->selinux_label = c->selinux_label;
  if (p->n_rlimits == 0)
    {
      p->rlimits = c->rlimits;
      p->n_rlimits = c->n_rlimits;
    }
  if (p->exec_cpu_affinity == NULL)
    p->exec_cpu_affinity = c->exec_cpu_affinity;
}

/* The process to run: from --process, or the container's process
 * adjusted by the flags (like runc: args, cwd, env, user, caps, nnp,
 * labels, terminal). */
static struct spec_process *
build_process (struct spec *spec, const struct exec_options *o, tr_error_t *err)
{
  struct arena *a = &spec->arena;
  if (o->process_file)
    {
      size_t len;
      cleanup_free char *text
          = read_regular_file_at (AT_FDCWD, o->process_file, "process.json", JSON_MAX_SMALL, &len, err);
      if (text == NULL)
        return NULL;
      struct spec_process *p = spec_parse_process_json (spec, text, len, err);
      if (p && spec->process)
        inherit_unset (p, spec->process);
      return p;
    }
  if (spec->process == NULL)
    {
      tr_error_plain (err, EINVAL, "the container has no process to inherit from: use --process");
      return NULL;
    }
  struct spec_process *p = arena_alloc (a, sizeof *p);
  if (p == NULL)
    {
      tr_error (err, ENOMEM, "exec");
      return NULL;
    }
  *p = *spec->process;
  p->args = (strlist){ o->args, o->n_args };
  p->terminal = (opt_bool){ true, o->tty };
  if (o->cwd)
    p->cwd = (char *) o->cwd;
  merge_env (a, &p->env, o->env, o->n_env);
  if (o->user_set)
    {
      p->user.uid = o->uid;
      p->user.gid = o->gid;
      p->user.n_additional_gids = 0;
    }
  if (o->n_additional_gids)
    {
      p->user.additional_gids = (uint32_t *) o->additional_gids;
      p->user.n_additional_gids = o->n_additional_gids;
    }
  add_caps (a, p, o->caps, o->n_caps);
  if (o->no_new_privs)
    p->no_new_privileges = (opt_bool){ true, true };
  if (o->apparmor)
    p->apparmor_profile = (char *) o->apparmor;
  if (o->process_label)
    p->selinux_label = (char *) o->process_label;
  return p;
}


static int
load_spec (int dirfd, struct spec **out, tr_error_t *err)
{
  size_t len;
  cleanup_free char *text = read_file_at (dirfd, STATE_CONFIG_FILE, &len, err);
  if (text == NULL)
    return -1;
  *out = spec_parse (text, len, err);
  return *out ? 0 : -1;
}

/* The cgroup the process joins: the container's, or --cgroup's sub-cgroup
 * of it; NULL when the container has none. */
static int
exec_cgroup (const struct container_state *st, const struct exec_options *o, char **out, tr_error_t *err)
{
  *out = NULL;
  if (st->cgroup_path == NULL || st->cgroup_path[0] == '\0')
    return 0;
  if (o->cgroup_subpath && strstr (o->cgroup_subpath, ".."))
    return tr_error_plain (err, EINVAL, "--cgroup: invalid sub-cgroup");
  *out = o->cgroup_subpath ? path_join (st->cgroup_path, o->cgroup_subpath) : strdup (st->cgroup_path);
  if (*out == NULL)
    return tr_error (err, ENOMEM, "--cgroup");
  return 0;
}

/* The cgroup2 directory for exec_spawn's CLONE_INTO_CGROUP, or -1. */
static int
open_cgroup_dir (const char *path, bool v1_joined)
{
  const char *mnt = cgroup_v2_mountpoint ();
  /* On a hybrid host only when the process joins its v1 cgroups itself
   * (or exec_spawn moves it there when it cannot). */
  if (mnt == NULL || (cgroup_layout () != CGROUP_LAYOUT_UNIFIED && !v1_joined) || path == NULL)
    return -1;
  char dir[4096];
  snprintf (dir, sizeof dir, "%s%s", mnt, path);
  return open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* As create's init, the process joins its v1 cgroups itself
 * (linux/cgroup_join.h), as root with the cgroupfs manager; *cgroup_fd is
 * the cgroup2 directory for CLONE_INTO_CGROUP, or -1. */
static int
open_cgroup_handles (const struct container_state *st, const char *cgroup, struct cgroup_join *join, int *cgroup_fd,
                     tr_error_t *err)
{
  if (cgroup && !st->systemd_cgroup && geteuid () == 0
      && cgroup_join_open (CGROUP_MANAGER_CGROUPFS, cgroup, join, err) < 0)
    return -1;
  *cgroup_fd = open_cgroup_dir (cgroup, join->n > 0);
  return 0;
}

/* A state exec may run in. */
static int
check_status (enum container_status status, const struct exec_options *o, tr_error_t *err)
{
  if (status == STATUS_PAUSED && !o->ignore_paused)
    return tr_error_plain (err, EINVAL, "cannot exec in a paused container (use --ignore-paused to override)");
  if (status != STATUS_RUNNING && status != STATUS_CREATED && status != STATUS_PAUSED)
    return tr_error_plain (err, EINVAL, "cannot exec in a container that is %s", container_status_name (status));
  return 0;
}

/* Until `start`, the init is a copy of the runtime.  `create` runs it from
 * a read-only view of the binary only when the config grants
 * CAP_SYS_PTRACE; a process given it now by exec could otherwise open the
 * init's /proc/<pid>/exe and write the binary once the init has moved on
 * (CVE-2019-5736). */
static bool
init_reachable (const struct spec *spec, const struct spec_process *p, pid_t init)
{
  return self_protect_ptrace_reachable (spec, p) && !self_protect_pid_exe_readonly (init);
}

int
container_exec (const char *root, const char *id, const struct exec_options *o, int *exit_status,
                tr_error_t *err)
{
  cleanup_container_state struct container_state st = { 0 };
  enum container_status status;
  cleanup_spec struct spec *spec = NULL;
  cleanup_free char *cgroup = NULL;
  cleanup_close int console = -1;
  cleanup_close int pidfd_sock = -1;
  cleanup_close int cgroup_fd = -1;
  cleanup_supervisor struct supervisor sup = SUPERVISOR_INIT;
  cleanup_tty_relay struct tty_relay relay = TTY_RELAY_INIT;
  cleanup_close int master = -1;
  *exit_status = 0;

  cleanup_close int dirfd = container_open (root, id, false, &st, &status, err);
  if (dirfd < 0 || check_status (status, o, err) < 0 || container_systemd_reachable (st.systemd_cgroup, err) < 0)
    return -1;
  if (load_spec (dirfd, &spec, err) < 0 || container_protect_binary (spec, true, err) < 0)
    return -1;
  struct spec_process *p = build_process (spec, o, err);
  if (p == NULL || process_user_validate (&p->user, err) < 0 || lsm_validate (p, NULL, err) < 0)
    return -1;
  if (p->capabilities)
    caps_warn_unavailable (p->capabilities);
  if (status == STATUS_CREATED && init_reachable (spec, p, st.pid))
    return tr_error_plain (err, EPERM, "a process with CAP_SYS_PTRACE could reach the runtime binary through the "
                                       "init of a container not started yet: start it first, or grant "
                                       "CAP_SYS_PTRACE in config.json");
  if (p->terminal.v && o->detach && o->console_socket == NULL)
    return tr_error_plain (err, EINVAL, "--tty with --detach needs --console-socket");
  if (o->console_socket && (console = terminal_connect_socket (o->console_socket, err)) < 0)
    return -1;
  if (o->pidfd_socket && (pidfd_sock = unix_connect (o->pidfd_socket, err)) < 0)
    return tr_error_wrap (err, "--pidfd-socket");
  if (exec_cgroup (&st, o, &cgroup, err) < 0)
    return -1;
  if (!o->detach && supervisor_start (&sup, err) < 0)
    return -1;
  cleanup_cgroup_join struct cgroup_join join = { 0 };
  if (open_cgroup_handles (&st, cgroup, &join, &cgroup_fd, err) < 0)
    return -1;
  cleanup_free char *state = NULL;
  const struct spec_seccomp *sc = spec->linux_ ? spec->linux_->seccomp : NULL;
  if (seccomp_spec_uses_notify (sc) && (state = state_json_oci (&st, container_status_name (status), NULL, err)) == NULL)
    return -1;
  seccomp_preload (root, sc); /* as create: cached, or compiled before the clone */
  log_debug ("exec in %s: init %d, cgroup %s", id, st.pid, cgroup ? cgroup : "none");
  struct exec_request r = {
    .id = id,
    .init_pid = st.pid,
    .spec = spec,
    .process = p,
    .cgroup_path = cgroup,
    .cgroup_fd = cgroup_fd,
    .enter_cgroup = st.systemd_cgroup ? cgroup_enter_systemd : cgroup_enter,
    .cgroup_join = join.n > 0 ? &join : NULL,
    .enter_cgroup_v2 = cgroup_enter_v2,
    .state_json = state,
    .relayed_pty = !o->detach && o->console_socket == NULL,
    .preserve_fds = o->preserve_fds,
  };
  pid_t pid = exec_spawn (&r, &master, err);
  if (pid < 0)
    return -1;
  if (master >= 0 && console >= 0)
    {
      if (terminal_send_master (console, master, err) < 0)
        return -1;
      close (steal_fd (&master));
    }
  if (o->pid_file && write_pid_file (o->pid_file, pid, err) < 0)
    return -1;
  if (pidfd_sock >= 0 && pidfd_send (pidfd_sock, pid, "setns", err) < 0)
    return -1;
  log_debug ("exec in %s: process %d", id, pid);
  if (o->detach)
    return 0;
  if (tty_relay_start (&relay, steal_fd (&master), err) < 0)
    return -1;
  *exit_status = supervisor_wait (&sup, pid, &relay);
  return 0;
}
