#include "config.h"
#include "init/exec_spawn.h"
#include "util/cleanup.h"
#include "init/init_ops.h"
#include "util/log.h"
#include "linux/intelrdt.h"
#include "linux/namespaces.h"
#include "linux/rootless.h"
#include "init/process.h"
#include "linux/seccomp.h"
#include "linux/self_protect.h"
#include "init/spawn.h"
#include "init/sync.h"
#include "init/sync_log.h"
#include "util/syscalls.h"
#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* /proc/<pid>/ns names, user first: the others may belong to it. */
static const struct
{
  const char *name;
  int flag;
} ns_kinds[] = {
  { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },        { "net", CLONE_NEWNET }, { "ipc", CLONE_NEWIPC },
  { "uts", CLONE_NEWUTS },   { "cgroup", CLONE_NEWCGROUP }, { "pid", CLONE_NEWPID }, { "time", CLONE_NEWTIME },
};
#define N_KINDS (sizeof ns_kinds / sizeof ns_kinds[0])

struct exec_handles
{
  int ns[N_KINDS]; /* -1: the container shares ours */
  int root;        /* /proc/<init>/root */
  int sync[2];
  bool self_join;  /* the child joins its v1 cgroups itself (r->cgroup_join) */
};

static int
kind_fd (const struct exec_handles *h, int flag)
{
  for (size_t i = 0; i < N_KINDS; i++)
    if (ns_kinds[i].flag == flag)
      return h->ns[i];
  return -1;
}

static bool
same_ns (pid_t pid, const char *name)
{
  char a[64], b[64], la[64] = "", lb[64] = "";
  snprintf (a, sizeof a, "/proc/%d/ns/%s", pid, name);
  snprintf (b, sizeof b, "/proc/self/ns/%s", name);
  ssize_t na = readlink (a, la, sizeof la - 1), nb = readlink (b, lb, sizeof lb - 1);
  return na > 0 && nb > 0 && na == nb && memcmp (la, lb, (size_t) na) == 0;
}

/* The init's namespaces (those it does not share with us) and root. */
static int
open_handles (pid_t pid, struct exec_handles *h, tr_error_t *err)
{
  for (size_t i = 0; i < N_KINDS; i++)
    {
      h->ns[i] = -1;
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/%s", pid, ns_kinds[i].name);
      if (access (path, F_OK) < 0 && errno == ENOENT && ns_kinds[i].flag == CLONE_NEWTIME)
        continue; /* a kernel without time namespaces */
      if (same_ns (pid, ns_kinds[i].name))
        continue;
      h->ns[i] = open (path, O_RDONLY | O_CLOEXEC);
      if (h->ns[i] < 0)
        return tr_error (err, errno, "open %s", path);
    }
  char root[64];
  snprintf (root, sizeof root, "/proc/%d/root", pid);
  h->root = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (h->root < 0)
    return tr_error (err, errno, "open %s", root);
  return 0;
}

static void
close_handles (struct exec_handles *h)
{
  for (size_t i = 0; i < N_KINDS; i++)
    if (h->ns[i] >= 0)
      close (h->ns[i]);
  int *fds[] = { &h->root, &h->sync[0], &h->sync[1] };
  for (size_t i = 0; i < 3; i++)
    if (*fds[i] >= 0)
      close (steal_fd (fds[i]));
}

#define cleanup_handles __attribute__ ((cleanup (close_handles)))

/* ---- the child ---------------------------------------------------- */

static int
cmp_int (const void *a, const void *b)
{
  return *(const int *) a - *(const int *) b;
}

/* Before it goes near the container, the child holds no fd of the
 * runtime's (the state directory, the cgroup, the supervisor's signalfd,
 * anything inherited): only the caller's --preserve-fds at 3.. and what it
 * needs to get in (the namespaces, the root, the channel).  A host fd
 * open while it setns()es and chroot()s is reachable from the container
 * through /proc/<pid>/fd or ptrace. */
static int
close_runtime_fds (const struct exec_request *r, const struct exec_handles *h, tr_error_t *err)
{
  int keep[N_KINDS + 2];
  size_t n = 0;
  for (size_t i = 0; i < N_KINDS; i++)
    if (h->ns[i] >= 0)
      keep[n++] = h->ns[i];
  keep[n++] = h->root;
  keep[n++] = h->sync[1];
  qsort (keep, n, sizeof keep[0], cmp_int);
  unsigned from = (unsigned) (3 + r->preserve_fds);
  for (size_t i = 0; i < n; i++)
    {
      if ((unsigned) keep[i] > from && tr_sys->close_range (from, (unsigned) keep[i] - 1, 0) < 0)
        return tr_error (err, errno, "close_range");
      if ((unsigned) keep[i] >= from)
        from = (unsigned) keep[i] + 1;
    }
  if (tr_sys->close_range (from, ~0U, 0) < 0)
    return tr_error (err, errno, "close_range");
  return 0;
}

static int
child_enter (const struct exec_request *r, struct exec_handles *h, tr_error_t *err)
{
  /* pid and time came from the parent (they apply to children). */
  for (size_t i = 0; i < N_KINDS; i++)
    {
      if (h->ns[i] < 0 || ns_kinds[i].flag == CLONE_NEWPID || ns_kinds[i].flag == CLONE_NEWTIME)
        continue;
      if (tr_sys->setns (h->ns[i], ns_kinds[i].flag) < 0)
        return tr_error (err, errno, "join the container's %s namespace", ns_kinds[i].name);
      if (ns_kinds[i].flag == CLONE_NEWUSER && (tr_sys->setresgid (0, 0, 0) < 0 || tr_sys->setresuid (0, 0, 0) < 0))
        return tr_error (err, errno, "become root in the container's user namespace");
    }
  for (size_t i = 0; i < N_KINDS; i++)
    if (h->ns[i] >= 0)
      close (steal_fd (&h->ns[i]));
  /* The init's root, whether it got there by pivot_root or chroot. */
  if (fchdir (h->root) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return tr_error (err, errno, "enter the container %s's root", r->id);
  close (steal_fd (&h->root));
  return 0;
}

static int
child_terminal (const struct exec_request *r, tr_error_t *err)
{
  cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return tr_error (err, errno, "open /");
  cleanup_close int master = terminal_setup (root, r->process, false, err);
  if (master < 0 || (r->relayed_pty && terminal_clear_onlcr (master, err) < 0))
    return -1;
  return steal_fd (&master);
}

/* runc (setnsProcess.setFinalCPUAffinity): without
 * process.execCPUAffinity the process must not keep its caller's affinity
 * (`taskset -c 0 tinyrun exec ...`), it gets every CPU, which the kernel
 * narrows to its cgroup's cpuset (it is in the cgroup by now).  With
 * one, it was born on the initial CPUs (initial_affinity_clone) and gets
 * the final ones right before execve. */
static int
child_affinity (const struct spec_process *p, tr_error_t *err)
{
  if (p->exec_cpu_affinity)
    return 0;
  return init_ops->affinity (NULL, false, err);
}

/* The container's linux.memoryPolicy, which the init set for itself and
 * its children: a process exec'd from outside does not inherit it (runc's
 * setns init and crun set it again). */
static int
child_memory_policy (const struct spec *spec, tr_error_t *err)
{
  return init_ops->mempolicy_apply (spec->linux_ ? spec->linux_->memory_policy : NULL, err);
}

/* As the init does (step_seccomp_listener): a filter that notifies is
 * loaded now and its fd goes to the parent, which hands it to
 * linux.seccomp.listenerPath; the rest of our way to execve runs under
 * it, as with runc. */
static int
child_seccomp_listener (int sock, struct process_exec *x, tr_error_t *err)
{
  if (!seccomp_program_notifies (x->seccomp))
    return 0;
  int fd;
  if (init_ops->seccomp_install (x->seccomp, &fd, err) < 0)
    return -1;
  x->seccomp = NULL;
  int ret = sync_send (sock, SYNC_SECCOMP_FD, 0, fd, err);
  close (fd);
  return ret;
}

/* Everything up to SYNC_READY: inside the container, with the process
 * resolved and its filter compiled (and loaded, when it notifies). */
static int
child_prepare (const struct exec_request *r, struct exec_handles *h, struct process_exec *x, tr_error_t *err)
{
  int sock = h->sync[1];
  const struct spec_linux *l = r->spec->linux_;
  /* Non-dumpable, then into the v1 cgroups (before the fds are closed),
   * before anything of the container's. */
  if (self_protect_before_entering (err) < 0 || (h->self_join && cgroup_join_self (r->cgroup_join, err) < 0)
      || close_runtime_fds (r, h, err) < 0 || sync_expect (sock, SYNC_PARENT_READY, NULL, NULL, err) < 0
      || child_enter (r, h, err) < 0 || child_affinity (r->process, err) < 0 || child_memory_policy (r->spec, err) < 0)
    return -1;
  cleanup_close int master = -1;
  if (r->process->terminal.v && (master = child_terminal (r, err)) < 0)
    return -1;
  if (process_prepare (r->process, x, err) < 0)
    return -1;
  if (l && l->seccomp && seccomp_compile (l->seccomp, (struct seccomp_program **) &x->seccomp, err) < 0)
    return -1;
  if (child_seccomp_listener (sock, x, err) < 0)
    return -1;
  return sync_send (sock, SYNC_READY, getpid (), master, err);
}

static _Noreturn void
exec_child (const struct exec_request *r, struct exec_handles *h)
{
  tr_error_t err = NULL;
  struct process_exec x = { .exec_affinity = true, .keep_umask = true };
  /* Until execve closes the channel, the parent logs our warnings. */
  init_log_to_sync (&h->sync[1]);
  if (child_prepare (r, h, &x, &err) == 0)
    process_finalize_and_exec (r->spec, r->process, &x, r->preserve_fds, &err);
  init_log_to_sync (NULL);
  sync_send_error (h->sync[1], &err);
  _exit (127);
}

/* ---- the helper, for a container with a user namespace ---------- */

/* The pid and time namespaces of such a container usually belong to its
 * user namespace: setns() into them needs CAP_SYS_ADMIN there, which an
 * ordinary user holds only once inside it.  So a helper sets
 * pid_for_children and time_for_children, joins the user namespace and
 * becomes its root, and clones the process with CLONE_PARENT: it is the
 * runtime's child as in the direct case.  As runc's nsexec does, what can
 * be joined before the user namespace is (a time namespace the host's
 * root made stays out of reach from inside), the rest, refused with EPERM,
 * right after it.  The helper reports the pid and exits.  It holds no
 * runtime fd and is non-dumpable before it enters anything, as the child
 * is. */
static int
helper_for_children (struct exec_handles *h, bool in_user, tr_error_t *err)
{
  for (size_t i = 0; i < N_KINDS; i++)
    {
      int flag = ns_kinds[i].flag;
      if (h->ns[i] < 0 || (flag != CLONE_NEWPID && flag != CLONE_NEWTIME))
        continue;
      if (tr_sys->setns (h->ns[i], flag) == 0)
        close (steal_fd (&h->ns[i]));
      else if (errno != EPERM || in_user)
        return tr_error (err, errno, "join the container's %s namespace", ns_kinds[i].name);
    }
  return 0;
}

static int
helper_join (const struct exec_request *r, struct exec_handles *h, tr_error_t *err)
{
  int *user = &h->ns[0]; /* ns_kinds[0] is the user namespace */
  if (close_runtime_fds (r, h, err) < 0 || self_protect_before_entering (err) < 0
      || helper_for_children (h, false, err) < 0)
    return -1;
  if (*user < 0)
    return 0; /* the container shares our user namespace */
  if (tr_sys->setns (*user, CLONE_NEWUSER) < 0)
    return tr_error (err, errno, "join the container's user namespace");
  if (tr_sys->setresgid (0, 0, 0) < 0 || tr_sys->setresuid (0, 0, 0) < 0)
    return tr_error (err, errno, "become root in the container's user namespace");
  /* The child inherits the membership: it must not join again (EINVAL). */
  close (steal_fd (user));
  return helper_for_children (h, true, err);
}

static _Noreturn void
exec_helper (const struct exec_request *r, struct exec_handles *h)
{
  tr_error_t err = NULL;
  init_log_to_sync (&h->sync[1]);
  if (helper_join (r, h, &err) == 0)
    {
      bool unused;
      pid_t pid = spawn_clone (CLONE_PARENT, -1, &unused);
      if (pid == 0)
        exec_child (r, h);
      if (pid < 0)
        tr_error (&err, errno, "clone the process");
      else if (sync_send (h->sync[1], SYNC_INIT_PID, pid, -1, &err) == 0)
        _exit (0);
    }
  init_log_to_sync (NULL);
  sync_send_error (h->sync[1], &err);
  _exit (1);
}

/* ---- the parent --------------------------------------------------- */

/* execCPUAffinity.initial is where "a runtime parent process" runs
 * before it moves to the container's cgroup (runtime-spec): the child is
 * cloned from this thread while it runs there, so it is born on those
 * CPUs whatever the cgroup's cpuset (runc's startWithCPUAffinity). */
static int
initial_affinity_enter (const struct spec_process *p, cpu_set_t *saved, bool *changed, tr_error_t *err)
{
  *changed = false;
  if (p->exec_cpu_affinity == NULL || p->exec_cpu_affinity->initial == NULL)
    return 0;
  if (sched_getaffinity (0, sizeof *saved, saved) < 0)
    return tr_error (err, errno, "sched_getaffinity");
  if (init_ops->affinity (p, false, err) < 0)
    return -1;
  *changed = true;
  return 0;
}

/* The helper goes into the cgroup (clone3), so its child is born there,
 * on the initial CPUs as well. */
static pid_t
clone_via_helper (const struct exec_request *r, struct exec_handles *h, bool *in_cgroup, tr_error_t *err)
{
  cpu_set_t own;
  bool moved;
  if (initial_affinity_enter (r->process, &own, &moved, err) < 0)
    return -1;
  pid_t helper = spawn_clone (0, r->cgroup_fd, in_cgroup);
  if (moved && sched_setaffinity (0, sizeof own, &own) < 0)
    log_debug ("restore the runtime's CPU affinity: %s", strerror (errno));
  if (helper < 0)
    return tr_error (err, errno, "fork the exec helper");
  if (helper == 0)
    {
      close (h->sync[0]);
      exec_helper (r, h);
    }
  close (steal_fd (&h->sync[1]));
  int32_t pid = -1;
  if (sync_expect (h->sync[0], SYNC_INIT_PID, &pid, NULL, err) < 0)
    {
      kill (helper, SIGKILL);
      pid = -1;
    }
  waitpid (helper, NULL, 0);
  return pid;
}

static pid_t
clone_into_container (const struct exec_request *r, struct exec_handles *h, bool *in_cgroup, tr_error_t *err)
{
  struct for_children saved;
  cpu_set_t own;
  bool moved;
  pid_t pid = -1;
  if (initial_affinity_enter (r->process, &own, &moved, err) < 0)
    return -1;
  if (for_children_enter (kind_fd (h, CLONE_NEWPID), kind_fd (h, CLONE_NEWTIME), false, &saved, err) == 0)
    {
      pid = spawn_clone (0, r->cgroup_fd, in_cgroup);
      if (pid == 0)
        {
          close (h->sync[0]);
          exec_child (r, h);
        }
      if (pid < 0)
        tr_error (err, errno, "clone the process");
    }
  for_children_leave (&saved);
  if (moved && sched_setaffinity (0, sizeof own, &own) < 0)
    log_debug ("restore the runtime's CPU affinity: %s", strerror (errno));
  return pid;
}

/* The child's notify fd, on to the listener with the container's state;
 * "pid" is the exec'd process's (runc's setnsProcess does the same). */
static int
parent_seccomp_listener (const struct exec_request *r, int sock, pid_t pid, tr_error_t *err)
{
  const struct spec_seccomp *sc = r->spec->linux_ ? r->spec->linux_->seccomp : NULL;
  if (!seccomp_spec_uses_notify (sc))
    return 0;
  cleanup_close int notify_fd = -1;
  if (sync_expect (sock, SYNC_SECCOMP_FD, NULL, &notify_fd, err) < 0)
    return -1;
  if (notify_fd < 0)
    return tr_error_plain (err, EPROTO, "linux.seccomp: no notify fd from the process");
  log_debug ("exec: seccomp notify fd of %d to %s", pid, sc->listener_path);
  return seccomp_send_to_listener (sc, notify_fd, pid, r->state_json ? r->state_json : "{}", err);
}

/* The parent's half, once the child exists: its cgroup, then the
 * handshake up to its execve. */
static int
parent_side (const struct exec_request *r, const struct exec_handles *h, pid_t pid, bool in_cgroup, int *pty_master,
             tr_error_t *err)
{
  int sock = h->sync[0];
  /* v1 hierarchies (and kernels without CLONE_INTO_CGROUP) are joined by
   * writing the pid, before the child may run anything, unless the child
   * joins them itself.  A clone into a hybrid host's cgroup2 part (only
   * with r->cgroup_join) leaves its v1 hierarchies to do. */
  if (r->cgroup_path && h->self_join)
    {
      if (!in_cgroup && r->enter_cgroup_v2 (r->cgroup_path, pid, err) < 0)
        return -1;
    }
  else if (r->cgroup_path && (!in_cgroup || r->cgroup_join) && r->enter_cgroup (r->cgroup_path, pid, err) < 0)
    return -1;
  /* And its resctrl group, as runc's setns process. */
  if (r->spec->linux_ && rdt_enter (r->spec->linux_->intel_rdt, r->id, pid, err) < 0)
    return -1;
  if (sync_send (sock, SYNC_PARENT_READY, pid, -1, err) < 0 || parent_seccomp_listener (r, sock, pid, err) < 0
      || sync_expect (sock, SYNC_READY, NULL, pty_master, err) < 0 || sync_wait_closed (sock, err) < 0)
    return -1;
  return 0;
}

pid_t
exec_spawn (const struct exec_request *r, int *pty_master, tr_error_t *err)
{
  cleanup_handles struct exec_handles h = { .root = -1, .sync = { -1, -1 } };
  for (size_t i = 0; i < N_KINDS; i++)
    h.ns[i] = -1;
  *pty_master = -1;
  if (open_handles (r->init_pid, &h, err) < 0)
    return -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, h.sync) < 0)
    return tr_error (err, errno, "socketpair");
  bool in_cgroup = false;
  /* The root of a user namespace (rootless podman's) may enter the
   * container's pid namespace but never come back to its own, which
   * belongs to the host: the helper goes in and exits. */
  bool helper = kind_fd (&h, CLONE_NEWUSER) >= 0 || rootless_in_user_ns ();
  h.self_join = !helper && r->cgroup_join && r->cgroup_join->n > 0;
  pid_t pid = helper ? clone_via_helper (r, &h, &in_cgroup, err) : clone_into_container (r, &h, &in_cgroup, err);
  if (pid < 0)
    return -1;
  if (h.sync[1] >= 0)
    close (steal_fd (&h.sync[1]));
  if (parent_side (r, &h, pid, in_cgroup, pty_master, err) < 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      if (*pty_master >= 0)
        close (steal_fd (pty_master));
      return -1;
    }
  return pid;
}
