/* Per-container state under <root>/<id>/:
 *   state.json   what later commands need (written atomically)
 *   config.json  the spec as it was at create time (hooks, cgroups, ...)
 *   exec.fifo    present from create until start
 *   start.error  written by the init if it fails between start and execve
 * The directory itself is flock()ed by every command that changes the
 * container, so concurrent commands on one container serialize. */
#ifndef TINYRUN_STATE_H
#define TINYRUN_STATE_H

#include <stdbool.h>

#include "util/error.h"
#include "oci-spec/state_json.h"

#define TINYRUN_DEFAULT_ROOT "/run/tinyrun"
#define STATE_FILE "state.json"
#define STATE_CONFIG_FILE "config.json"
#define EXEC_FIFO "exec.fifo"
#define START_ERROR_FILE "start.error" /* what went wrong in the init after `start` */

/* The state root when --root is not given: $XDG_RUNTIME_DIR/tinyrun for
 * an ordinary user (euid != 0) whose XDG_RUNTIME_DIR is set, as runc does,
 * and for uid 0 in a user namespace (rootless podman's) unless $USER is
 * root (runc's shouldHonorXDGRuntimeDir); else TINYRUN_DEFAULT_ROOT.  The
 * string lives until the process exits. */
const char *state_default_root (void);

/* The global --rootless true|false|auto (linux/rootless.h). */
int state_set_rootless (const char *value, tr_error_t *err);

/* [A-Za-z0-9_+.-]+, not "." or "..", at most 1024 bytes. */
int container_id_validate (const char *id, tr_error_t *err);

/* Create <root>/<id> exclusively and lock it (container/lock.h); EEXIST
 * means the container exists.  Returns the directory fd. */
int state_dir_create (const char *root, const char *id, tr_error_t *err);

/* Open (and, with lock, flock) an existing container's directory, once:
 * every later step uses the fd.  A directory without state.json (a create
 * that died before its first record) is returned too. */
int state_dir_open (const char *root, const char *id, bool lock, tr_error_t *err);

/* Remove everything in the container's directory fd, then <root>/<id> if
 * that name is still this directory. */
int state_dir_remove (const char *root, const char *id, int dirfd, tr_error_t *err);

int state_save (int dirfd, const struct container_state *st, tr_error_t *err);
int state_load (int dirfd, struct container_state *st, tr_error_t *err);

enum container_status
{
  STATUS_CREATING,
  STATUS_CREATED,
  STATUS_RUNNING,
  STATUS_PAUSED,
  STATUS_STOPPED,
  STATUS_UNKNOWN, /* state.json cannot be read */
};

const char *container_status_name (enum container_status s);

/* Derive the status from the kernel's view: is the init the same process
 * that was started, has `start` consumed the fifo, is the cgroup frozen.
 * A record still marked creating is creating or stopped. */
enum container_status container_status_of (int dirfd, const struct container_state *st);

/* Now, as RFC 3339 in UTC with nanoseconds. */
char *rfc3339_now (void);

#endif
