/* Running criu (linux/criu.h): a clean environment, only the fds it is
 * meant to have, an own mount namespace when asked; on failure, the last
 * errors of its log. */
#include "config.h"
#include "linux/criu.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#define CRIU_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define LOG_TAIL_LINES 3

static char *const clean_env[] = { "PATH=" CRIU_PATH, "LANG=C", NULL };

/* execve along CRIU_PATH unless the name has a slash; returns the errno
 * that matters (ENOENT only when no directory had it). */
static int
exec_criu (char **argv)
{
  if (strchr (argv[0], '/'))
    {
      execve (argv[0], argv, clean_env);
      return errno;
    }
  int saved = ENOENT;
  char path[4096];
  for (const char *dir = CRIU_PATH; *dir;)
    {
      size_t len = strcspn (dir, ":");
      if (snprintf (path, sizeof path, "%.*s/%s", (int) len, dir, argv[0]) < (int) sizeof path)
        {
          execve (path, argv, clean_env);
          if (errno != ENOENT)
            saved = errno;
        }
      dir += len + (dir[len] == ':');
    }
  return saved;
}

static int
child_mounts (const struct criu_request *r, const struct criu_spawn *how)
{
  if (!how->new_mount_ns)
    return 0;
  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    return errno;
  if (how->bind_root && mount (how->bind_root, r->root, NULL, MS_BIND | MS_REC, NULL) < 0)
    return errno;
  return 0;
}

/* In the forked child; reports a failure before exec as an int on
 * report_fd (close-on-exec: EOF means criu runs). */
static _Noreturn void
child (const struct criu_request *r, const struct criu_spawn *how, char **argv, int report_fd)
{
  int e = child_mounts (r, how);
  if (e == 0)
    {
      sys_close_range (3, ~0U, CLOSE_RANGE_CLOEXEC);
      for (size_t i = 0; i < how->n_keep_fds; i++)
        if (fcntl (how->keep_fds[i], F_SETFD, 0) < 0)
          e = errno;
    }
  if (e == 0)
    {
      signals_default_for_exec ();
      e = exec_criu (argv);
    }
  int code[2] = { e, e == 0 ? 0 : 1 };
  if (write (report_fd, code, sizeof code) < 0)
    _exit (126);
  _exit (127);
}

/* "a; b; c": criu's first "Error" line of the log (usually the cause)
 * and its last ones, LOG_TAIL_LINES in all (or its last line when it
 * has none), without criu's timestamps.  *vdso: the log says criu could
 * not read this kernel's vDSO layout; that line, the cause then, comes
 * first wherever it is in the log (other errors may come before it). */
static char *
log_tail (const struct criu_request *r, bool *vdso)
{
  cleanup_free char *path = path_join (r->work_dir ? r->work_dir : r->image_dir, r->log_file);
  tr_error_t ignored = NULL;
  size_t len = 0;
  cleanup_free char *text = path ? read_file_at (AT_FDCWD, path, &len, &ignored) : NULL;
  tr_error_free (&ignored);
  if (text == NULL)
    return NULL;
  *vdso = false;
  const char *cause = NULL, *first = NULL, *lines[LOG_TAIL_LINES - 1] = { 0 }, *last = NULL;
  size_t n = 0;
  for (char *save = NULL, *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      last = line;
      char *e = strstr (line, "Error (");
      bool vdso_line = strstr (line, "vDSO area bounds") != NULL;
      *vdso = *vdso || vdso_line;
      if (e && cause == NULL && vdso_line && strstr (e, "vDSO area bounds"))
        cause = e;
      else if (e && first == NULL)
        first = e;
      else if (e)
        lines[n++ % (LOG_TAIL_LINES - 1)] = e;
    }
  char *out = NULL;
  size_t outlen = 0;
  FILE *f = open_memstream (&out, &outlen);
  if (f == NULL)
    return NULL;
  if (cause)
    fprintf (f, "%s%s", cause, first ? "; " : "");
  if (first || !cause)
    fputs (first ? first : last ? last : "", f);
  size_t from = n > LOG_TAIL_LINES - 1 ? n - (LOG_TAIL_LINES - 1) : 0;
  if (from > 0)
    fputs ("; ...", f);
  for (size_t i = from; i < n; i++)
    fprintf (f, "; %s", lines[i % (LOG_TAIL_LINES - 1)]);
  fclose (f);
  return out;
}

/* criu before 4.1 fails its kernel feature detection on Linux 6.13 and
 * later, which split the vvar area (kernel commit e93d2521b27f, criu
 * issue #2532): say so instead of only "Unexpected rt vDSO area bounds". */
static const char *
kernel_reason (bool vdso)
{
  if (!vdso)
    return NULL;
  size_t len = 0;
  tr_error_t ignored = NULL;
  cleanup_free char *maps = read_file_at (AT_FDCWD, "/proc/self/maps", &len, &ignored);
  tr_error_free (&ignored);
  if (maps == NULL || strstr (maps, "[vvar_vclock]") == NULL)
    return NULL;
  return "this kernel maps [vvar_vclock] beside the vDSO (Linux 6.13 and later), which criu before 4.1 cannot "
         "handle: criu cannot checkpoint or restore on this kernel";
}

static int
failed (const struct criu_request *r, const char *argv0, int status, tr_error_t *err)
{
  bool vdso = false;
  cleanup_free char *tail = r->log_file ? log_tail (r, &vdso) : NULL;
  cleanup_free char *how = NULL;
  if (WIFSIGNALED (status))
    how = strdup ("was killed by a signal");
  else if (asprintf (&how, "failed (exit status %d)", WEXITSTATUS (status)) < 0)
    how = NULL;
  const char *reason = kernel_reason (vdso);
  return tr_error_plain (err, EIO, "%s %s %s%s%s%s%s", argv0, criu_action_name (r->action),
                         how ? how : "failed", tail ? ": " : "", tail ? tail : "", reason ? ": " : "",
                         reason ? reason : "");
}

static int
wait_criu (const struct criu_request *r, char **argv, pid_t pid, int report_fd, tr_error_t *err)
{
  int code[2] = { 0, 0 };
  ssize_t got = read (report_fd, code, sizeof code);
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return tr_error (err, errno, "wait for criu");
  if (got == (ssize_t) sizeof code && code[0] == ENOENT)
    return tr_error_plain (err, ENOENT, "%s: not found (install Debian's criu package, or give its path with "
                                        "tinyrun --criu PATH)", argv[0]);
  if (got == (ssize_t) sizeof code)
    return tr_error (err, code[0], "run %s", argv[0]);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  return failed (r, argv[0], status, err);
}

int
criu_run (const struct criu_request *r, const struct criu_spawn *how, tr_error_t *err)
{
  struct criu_argv a __attribute__ ((cleanup (criu_argv_clear))) = { 0 };
  if (criu_argv_build (r, &a, err) < 0)
    return -1;
  if (log_debug_enabled ())
    for (size_t i = 0; i < a.n; i++)
      log_debug ("criu argv[%zu]: %s", i, a.v[i]);
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return tr_error (err, errno, "pipe for criu");
  cleanup_close int rd = fds[0];
  cleanup_close int wr = fds[1];
  pid_t pid = fork ();
  if (pid < 0)
    return tr_error (err, errno, "fork criu");
  if (pid == 0)
    child (r, how, a.v, wr);
  close (steal_fd (&wr));
  return wait_criu (r, a.v, pid, rd, err);
}

int
criu_check (const char *binary, const char *work_dir, tr_error_t *err)
{
  struct criu_request r = {
    .action = CRIU_CHECK, .binary = binary, .work_dir = work_dir, .log_file = "check.log",
  };
  struct criu_spawn how = { 0 };
  return criu_run (&r, &how, err);
}
