/* Checkpoint/restore through the criu binary (Debian has no libcriu).
 *
 * tinyrun runs `criu dump|pre-dump|restore|check` with options rather than
 * `criu swrk` with its protobuf RPC, as runc does: everything tinyrun asks
 * of criu has a command-line option, the CLI needs no protobuf code, and
 * the argv is a pure function of a request (criu_argv_build), unit-tested
 * without criu.  A terminal, which runc restores through RPC's orphan pts
 * master, is an external tty here (dump: `--external tty[RDEV:DEV]`;
 * restore: a new pty's slave as `--inherit-fd fd[N]:tty[RDEV:DEV]`), as
 * LXC does; notify callbacks are not offered. */
#ifndef TINYRUN_CRIU_H
#define TINYRUN_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

#define CRIU_DEFAULT_BINARY "criu"

enum criu_action
{
  CRIU_CHECK,
  CRIU_DUMP,
  CRIU_PRE_DUMP,
  CRIU_RESTORE,
};

enum
{
  CRIU_LEAVE_RUNNING = 1 << 0,
  CRIU_TCP_ESTABLISHED = 1 << 1,
  CRIU_EXT_UNIX_SK = 1 << 2,
  CRIU_SHELL_JOB = 1 << 3,
  CRIU_FILE_LOCKS = 1 << 4,
  CRIU_AUTO_DEDUP = 1 << 5,
  CRIU_LAZY_PAGES = 1 << 6,
  CRIU_TRACK_MEM = 1 << 7,
};

/* `--external KIND[KEY]:VALUE`: kind "mnt" for a bind mount (dump: the
 * destination names itself; restore: the name maps to the host source),
 * "net" for a network namespace given by path (dump: its inode); "tty"
 * (dump only, value NULL: `--external tty[RDEV:DEV]`) for a terminal whose
 * master is outside the tree. */
struct criu_external
{
  const char *kind;
  const char *key;
  const char *value; /* NULL: no ":VALUE" */
};

/* `--inherit-fd fd[FD]:KEY`: criu's fd FD stands for KEY (a pipe of the
 * dumped process, "extRootNetNS"). */
struct criu_inherit
{
  int fd;
  const char *key;
};

struct criu_request
{
  enum criu_action action;
  const char *binary;    /* NULL: "criu" from PATH */
  pid_t pid;             /* dump: the root of the tree */
  const char *image_dir; /* -D */
  const char *work_dir;  /* -W: where the log goes */
  const char *log_file;  /* -o, relative to work_dir */
  const char *parent_dir; /* --prev-images-dir, relative to image_dir */
  const char *root;      /* --root */
  const char *pid_file;  /* restore: --pidfile */
  const char *cgroup_root; /* restore: --cgroup-root */
  const char *freeze_cgroup; /* dump: --freeze-cgroup, the freezer's directory */
  const char *manage_cgroups_mode; /* NULL: criu's default (soft) */
  const char *empty_ns;  /* --empty-ns, e.g. "net" */
  const char *lsm_profile;       /* restore: --lsm-profile */
  const char *lsm_mount_context; /* restore: --lsm-mount-context */
  unsigned flags;
  const struct criu_external *externals;
  size_t n_externals;
  const struct criu_inherit *inherits;
  size_t n_inherits;
};

struct criu_argv
{
  char **v; /* NULL-terminated */
  size_t n;
};

/* The argv of the request (v[0] is the binary).  Clear out with
 * criu_argv_clear() in every case. */
int criu_argv_build (const struct criu_request *r, struct criu_argv *out, tr_error_t *err);
void criu_argv_clear (struct criu_argv *a);

const char *criu_action_name (enum criu_action a);

/* Is "none", "soft", "full", "strict" or "ignore". */
bool criu_cgroups_mode_valid (const char *mode);

/* Run the request's criu with a clean environment and wait for it.  With
 * new_mount_ns, criu runs in a mount namespace of its own in which
 * bind_root (when not NULL) is first bind-mounted on r->root, so that
 * nothing is left on the host's mounts.  keep_fds are inherited at the
 * same numbers (every other fd above 2 is closed).  On failure the error
 * names the step and ends with criu's last error lines from its log (or
 * why criu cannot work on this kernel). */
struct criu_spawn
{
  bool new_mount_ns;
  const char *bind_root;
  const int *keep_fds;
  size_t n_keep_fds;
};
int criu_run (const struct criu_request *r, const struct criu_spawn *how, tr_error_t *err);

/* `criu check`: fails with the reason criu gives (and what it means on
 * this kernel) when criu is missing or cannot work here. */
int criu_check (const char *binary, const char *work_dir, tr_error_t *err);

#endif
