#include "config.h"
#include "init/process.h"
#include "init/init_ops.h"
#include "linux/caps.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "linux/lsm.h"
#include "linux/process_attrs.h"
#include "util/fs_safe.h"
#include "util/fileutil.h"
#include "linux/seccomp.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The value of name in env: its last occurrence, the one build_env keeps. */
static const char *
env_get (char *const *env, const char *name)
{
  size_t len = strlen (name);
  const char *found = NULL;
  for (; env && *env; env++)
    if (strncmp (*env, name, len) == 0 && (*env)[len] == '=')
      found = *env + len + 1;
  return found;
}

static bool
is_executable_file (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111);
}

/* Why path cannot be executed, as runc says it: exec: "/x": permission
 * denied for a file without x bits (or not a regular file), the stat
 * error otherwise. */
static int
not_executable (const char *path, tr_error_t *err)
{
  char shown[TR_ECHO_SIZE];
  struct stat st;
  if (stat (path, &st) < 0)
    return tr_error (err, errno, "exec: \"%s\"", tr_echo (path, shown));
  if (S_ISDIR (st.st_mode))
    return tr_error_plain (err, EACCES, "exec: \"%s\": is a directory", tr_echo (path, shown));
  return tr_error_plain (err, EACCES, "exec: \"%s\": permission denied (not an executable file)",
                         tr_echo (path, shown));
}

static char *
lookup_path (const char *name, const char *search, tr_error_t *err)
{
  if (strchr (name, '/'))
    return strdup (name);
  cleanup_free char *copy = strdup (search);
  if (copy == NULL)
    {
      tr_error (err, ENOMEM, "PATH");
      return NULL;
    }
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *candidate = NULL;
      if (asprintf (&candidate, "%s/%s", dir[0] ? dir : ".", name) < 0)
        continue;
      if (is_executable_file (candidate))
        return candidate;
      free (candidate);
    }
  tr_error_plain (err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
  return NULL;
}

/* The image's /etc/passwd is hostile: it may be a FIFO (the open must not
 * block), /dev/zero or a huge file (the read must end). */
#define PASSWD_MAX (4u << 20)

/* The container's /etc/passwd, read inside the root; NULL (logged at
 * debug level) when it cannot be read or is not a small regular file. */
static char *
read_passwd (void)
{
  tr_error_t err = NULL;
  cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int fd = root < 0 ? -1 : safe_openat (root, "/etc/passwd", O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, &err);
  char *text = fd < 0 ? NULL : read_regular_fd (fd, "/etc/passwd", PASSWD_MAX, NULL, &err);
  if (text == NULL)
    tr_error_ignore (&err, "HOME=/: no home directory from /etc/passwd");
  return text;
}

/* HOME from the container's /etc/passwd, as runc does when env lacks it;
 * "/" when there is no entry (or no readable file), as in runc. */
static char *
home_of (uid_t uid)
{
  cleanup_free char *text = read_passwd ();
  char *save = NULL;
  for (char *line = text ? strtok_r (text, "\n", &save) : NULL; line; line = strtok_r (NULL, "\n", &save))
    {
      char *fields[7] = { 0 };
      char *p = line;
      int i = 0;
      /* strtok would merge empty fields; split by hand. */
      for (; i < 7 && p; i++)
        {
          fields[i] = p;
          p = strchr (p, ':');
          if (p)
            *p++ = '\0';
        }
      if (i >= 6 && fields[2] && (uid_t) strtoul (fields[2], NULL, 10) == uid && fields[5][0])
        return strdup (fields[5]);
    }
  return strdup ("/");
}

/* CVE-2024-21626 class: a cwd like /proc/self/fd/N would land in whatever
 * directory the runtime has open there, outside the container.  The path is
 * resolved inside the root without magic links, and getcwd(3) must agree
 * that the result is reachable from the root. */
static int
enter_cwd (const char *cwd, tr_error_t *err)
{
  cleanup_close int fd = safe_openat (AT_FDCWD, cwd, O_PATH | O_DIRECTORY, 0, err);
  if (fd < 0)
    return tr_error_wrap (err, "process.cwd");
  if (fchdir (fd) < 0)
    return tr_error (err, errno, "process.cwd: chdir %s", cwd);
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf) == NULL || buf[0] != '/')
    return tr_error_plain (err, EPERM, "process.cwd: %s is outside the container's root", cwd);
  return 0;
}

/* Does a later entry of env set the same variable as env[i]? */
static bool
set_again_later (const strlist *env, size_t i)
{
  size_t klen = strcspn (env->v[i], "=");
  for (size_t j = i + 1; j < env->n; j++)
    if (strncmp (env->v[j], env->v[i], klen) == 0 && env->v[j][klen] == '=')
      return true;
  return false;
}

/* process.env with each variable once, the last occurrence winning where
 * it stands (runc's prepareEnv), plus HOME when it was missing; with
 * socket activation, LISTEN_FDS and LISTEN_PID=1 (the process is the one
 * that listens) replace any of the image's. */
static int
build_env (const struct spec_process *p, struct process_exec *x, tr_error_t *err)
{
  bool need_home = env_get (p->env.v, "HOME") == NULL;
  x->envp = calloc (p->env.n + 4, sizeof (char *));
  if (x->envp == NULL)
    return tr_error (err, ENOMEM, "environment");
  size_t n = 0;
  for (size_t i = 0; i < p->env.n; i++)
    if (!set_again_later (&p->env, i)
        && (x->listen_fds == 0
            || (strncmp (p->env.v[i], "LISTEN_FDS=", 11) != 0 && strncmp (p->env.v[i], "LISTEN_PID=", 11) != 0)))
      x->envp[n++] = p->env.v[i];
  if (x->listen_fds > 0)
    {
      if (asprintf (&x->envp[n++], "LISTEN_FDS=%d", x->listen_fds) < 0)
        return tr_error (err, ENOMEM, "environment");
      x->envp[n++] = (char *) "LISTEN_PID=1";
    }
  if (need_home)
    {
      cleanup_free char *home = home_of (p->user.uid);
      if (home && asprintf (&x->envp[n], "HOME=%s", home) < 0)
        x->envp[n] = NULL;
    }
  return 0;
}

int
process_prepare (const struct spec_process *p, struct process_exec *x, tr_error_t *err)
{
  /* The working directory now, while still root and before a seccomp
   * filter with a listener could be in place. */
  if (enter_cwd (p->cwd, err) < 0)
    return -1;
  const char *search = env_get (p->env.v, "PATH");
  x->path = lookup_path (p->args.v[0], search ? search : DEFAULT_PATH, err);
  if (x->path == NULL)
    return -1;
  if (strchr (p->args.v[0], '/') && p->args.v[0][0] == '/' && !is_executable_file (x->path))
    return not_executable (x->path, err);

  return build_env (p, x, err);
}

/* With process.terminal, stdin/stdout/stderr are the pty's slave: the
 * process's user gets to own it (its uid only; the group is devpts's), as
 * runc's fixStdioPermissions does before the uid switch.  A slave whose
 * owner is not mapped here (EPERM) or on a read-only /dev (EROFS) is left
 * as it is.  Only the terminal: a caller's files on 0-2 stay untouched. */
static int
chown_terminal (const struct spec_process *p, tr_error_t *err)
{
  if (!p->terminal.v)
    return 0;
  for (int fd = 0; fd < 3; fd++)
    {
      struct stat st;
      if (fstat (fd, &st) < 0 || !S_ISCHR (st.st_mode) || !isatty (fd) || st.st_uid == p->user.uid)
        continue;
      if (fchown (fd, p->user.uid, (gid_t) -1) < 0 && errno != EPERM && errno != EROFS)
        return tr_error (err, errno, "process.terminal: chown the terminal to %u", p->user.uid);
    }
  return 0;
}

/* Switch to the spec's user.  setgroups first: after setresuid we would
 * no longer be allowed to. */
static int
switch_user (const struct spec_user *u, tr_error_t *err)
{
  /* (uid_t) -1 would leave the ids unchanged: refused by validation,
   * and never let through here either. */
  if (u->uid == (uid_t) -1 || u->gid == (gid_t) -1)
    return tr_error_plain (err, EINVAL, "process.user: %u is not a valid id", (unsigned) -1);
  gid_t groups[u->n_additional_gids + 1];
  for (size_t i = 0; i < u->n_additional_gids; i++)
    groups[i] = u->additional_gids[i];
  /* setgroups is denied in a user namespace whose gid_map was written
   * after "deny" to /proc/self/setgroups; nothing to do then. */
  if (tr_sys->setgroups (u->n_additional_gids, groups) < 0 && !(errno == EPERM && u->n_additional_gids == 0))
    return tr_error (err, errno, "process.user.additionalGids: setgroups");
  if (tr_sys->setresgid (u->gid, u->gid, u->gid) < 0)
    return tr_error (err, errno, "process.user.gid: setresgid %u", u->gid);
  if (tr_sys->setresuid (u->uid, u->uid, u->uid) < 0)
    return tr_error (err, errno, "process.user.uid: setresuid %u", u->uid);
  return 0;
}

/* fds 3..3+n-1 pass to the process: the ones the caller handed to
 * tinyrun (--preserve-fds, and socket activation from tinyrun's own
 * environment, both checked by the command layer).  Never a number from
 * process.env: the image's LISTEN_FDS would keep the runtime's own fds.
 * Every other fd is closed at execve so nothing of the runtime leaks in. */
static int
close_other_fds (int preserve_fds, tr_error_t *err)
{
  for (int fd = 3; fd < 3 + preserve_fds; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags >= 0)
        fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  /* Marked close-on-exec rather than closed: execve closes them all, and
   * until then the init can still report a failure (start.error). */
  if (tr_sys->close_range ((unsigned) (3 + preserve_fds), ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return tr_error (err, errno, "close_range");
  return 0;
}

static void
reset_all_but_sigpipe (void)
{
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP && sig != SIGPIPE)
      signal (sig, SIG_DFL);
}

void
process_reset_dispositions (struct process_exec *x)
{
  reset_all_but_sigpipe ();
  x->dispositions_reset = true;
}

/* The runtime ignores SIGPIPE and `run` blocks the signals it forwards;
 * neither may leak into the container (ignored signals and the mask
 * survive execve). */
static int
reset_signals (const struct process_exec *x, tr_error_t *err)
{
  sigset_t none;
  sigemptyset (&none);
  if (!x->dispositions_reset)
    reset_all_but_sigpipe ();
  signal (SIGPIPE, SIG_DFL);
  if (sigprocmask (SIG_SETMASK, &none, NULL) < 0)
    return tr_error (err, errno, "reset the signal mask");
  return 0;
}

int
process_finalize_and_exec (const struct spec *spec, const struct spec_process *p, const struct process_exec *x,
                           int preserve_fds, tr_error_t *err)
{
  /* No process.capabilities means none at all (as in runc), never the
   * runtime's own full set. */
  static const struct spec_capabilities no_caps = { 0 };
  const struct spec_capabilities *caps = p->capabilities ? p->capabilities : &no_caps;
  int notify_fd = -1;

  /* First, while no seccomp filter can refuse close_range(2). */
  if (close_other_fds (preserve_fds + x->listen_fds, err) < 0)
    return -1;
  if (reset_signals (x, err) < 0 || init_ops->rlimits (p, err) < 0 || init_ops->oom_score (p, err) < 0
      || init_ops->scheduling (p, err) < 0)
    return -1;
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it
   * while we still have it.  With it, as late as possible (below). */
  if (x->seccomp && !p->no_new_privileges.v && init_ops->seccomp_install (x->seccomp, &notify_fd, err) < 0)
    return -1;

  /* 1. The bounding set, while we still hold CAP_SETPCAP. */
  if (init_ops->caps_set_bounding (caps, err) < 0)
    return tr_error_wrap (err, "process.capabilities.bounding");
  /* 2. Keep permitted capabilities across the uid change... */
  if (tr_sys->prctl (PR_SET_KEEPCAPS, 1) < 0)
    return tr_error (err, errno, "prctl PR_SET_KEEPCAPS");
  /* 3. ...change uid/gid (the terminal first becomes the user's)... */
  if (chown_terminal (p, err) < 0 || switch_user (&p->user, err) < 0)
    return -1;
  /* 4. ...and set exactly the spec's sets, then the ambient ones. */
  if (init_ops->caps_apply (caps, err) < 0)
    return tr_error_wrap (err, "process.capabilities");
  if (p->user.umask.set)
    umask ((mode_t) p->user.umask.v);
  else if (!x->keep_umask)
    umask (022);
  /* 5. no_new_privs: after this, execve can never gain privileges. */
  if (p->no_new_privileges.v && tr_sys->prctl (PR_SET_NO_NEW_PRIVS, 1) < 0)
    return tr_error (err, errno, "process.noNewPrivileges: prctl");
  if (init_ops->lsm_apply_exec_labels (p, err) < 0 || (x->exec_affinity && init_ops->affinity (p, true, err) < 0)
      || (spec->linux_ && init_ops->personality_apply (spec->linux_->personality, err) < 0))
    return -1;
  /* 6. seccomp last, so the filter sees as few of our own syscalls as
   * possible. */
  if (x->seccomp && p->no_new_privileges.v && init_ops->seccomp_install (x->seccomp, &notify_fd, err) < 0)
    return -1;
  tr_sys->execve (x->path, p->args.v, x->envp);
  return tr_error (err, errno, "exec %s", x->path);
}
