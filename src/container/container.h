/* The container lifecycle: create, start, state, kill, delete, run.
 * Commands (cmd_*.c) parse flags and call these; nothing below this layer
 * knows about the command line. */
#ifndef TINYRUN_CONTAINER_H
#define TINYRUN_CONTAINER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "util/error.h"
#include "container/state.h"
#include "oci-spec/spec.h"

struct create_options
{
  const char *root; /* state root, e.g. /run/tinyrun */
  const char *id;
  const char *bundle; /* NULL: the current directory */
  const char *pid_file;
  const char *console_socket;
  const char *pidfd_socket; /* gets a pidfd of the init (linux/pidfd_socket.h) */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;
  int listen_fds; /* socket activation: fds 3..3+n-1, before the preserved ones */
  /* `run` in the foreground with process.terminal and no console socket:
   * keep the pty master (returned in created->pty_master) to relay it. */
  bool keep_pty;
  bool systemd_cgroup; /* --systemd-cgroup: systemd makes the cgroup (a scope) */
  /* `run`: this process starts the init right after create, so the two
   * stay on one CPU until then (linux/cpu_pin.h). */
  bool start_follows;
};

struct created_container
{
  pid_t pid;
  int pty_master; /* -1 unless keep_pty */
};

/* Everything up to a container waiting for `start`.  On failure nothing is
 * left behind: no process, state directory or cgroup.  With
 * o->start_follows the calling thread is left on the init's CPU
 * (linux/cpu_pin.h) until container_start has released the init. */
int container_create (const struct create_options *o, struct created_container *out, tr_error_t *err);

/* Let the init run the user process; returns once it has exec'd (then
 * runs the poststart hooks).  Without wait_exec (`run` in the
 * foreground, which waits for the process's exit anyway) and without
 * poststart hooks, returns as soon as the init is released: then
 * container_start_failure(), after the process is gone, says whether it
 * was the init failing before its execve. */
int container_start (const char *root, const char *id, bool wait_exec, tr_error_t *err);

/* The failure the init recorded after create (a startContainer hook, its
 * execve), as the error start would have returned; 0 when none. */
int container_start_failure (const char *root, const char *id, tr_error_t *err);

int container_kill (const char *root, const char *id, int sig, bool all, tr_error_t *err);

/* Refuses a container that is not stopped unless force, which kills it. */
int container_delete (const char *root, const char *id, bool force, tr_error_t *err);

/* Open a container's state directory (flock()ed with lock), load its state
 * and compute its status.  Returns the directory fd; st must be zeroed and
 * cleared with container_state_clear() by the caller in every case. */
int container_open (const char *root, const char *id, bool lock, struct container_state *st,
                    enum container_status *status, tr_error_t *err);

/* Apply new resource limits to a created, running or paused container. */
int container_update (const char *root, const char *id, const struct spec_resources *res, tr_error_t *err);

/* Freeze (pause) or thaw (resume) every process of a container. */
int container_pause (const char *root, const char *id, bool pause, tr_error_t *err);

/* The host pids of every process of a container; caller frees *pids. */
int container_pids (const char *root, const char *id, pid_t **pids, size_t *n, tr_error_t *err);

/* Load a container's state and compute its status.  st must be zeroed;
 * clear it with container_state_clear(). */
int container_load (const char *root, const char *id, struct container_state *st, enum container_status *status,
                    tr_error_t *err);

/* The runtime-spec state JSON of a container; caller frees. */
char *container_state_json (const char *root, const char *id, tr_error_t *err);

/* `events`: hands emit one JSON object per event (runc's layout, see
 * oci-spec/stats_json.h): "stats" every interval_ms (only one when once),
 * and "oom" whenever the kernel's OOM killer strikes in the container.
 * Returns when the container stops (at once when once). */
typedef void (*container_event_fn) (const char *json, size_t len, void *data);
int container_events (const char *root, const char *id, bool once, long long interval_ms, container_event_fn emit,
                      void *data, tr_error_t *err);

/* `list`: every container under root, in directory order.  One whose
 * state.json is damaged is STATUS_UNKNOWN with the reason (st has only
 * its id); a directory without state.json (a create before its first
 * record, a delete under way) is left out. */
struct container_listed
{
  struct container_state st;
  enum container_status status;
  const char *reason; /* in st.arena */
};

struct container_list
{
  struct container_listed *v;
  size_t n;
};

/* A root that does not exist yet holds no container.  Clear out with
 * container_list_clear() in every case. */
int container_list (const char *root, struct container_list *out, tr_error_t *err);
void container_list_clear (struct container_list *l);

/* The list as runc's JSON array (oci-spec/list_json.h); caller frees. */
char *container_list_json (const struct container_list *l, size_t *len, tr_error_t *err);

/* `ps` as a table: runs ps(1) with ps_args (-ef when there are none) and
 * copies to out its header and the lines of the container's processes
 * (the PID column is found from the header, as runc does). */
int container_ps_table (const char *root, const char *id, char **ps_args, int n_args, FILE *out, tr_error_t *err);

#endif
