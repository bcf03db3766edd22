/* The container state as JSON: the runtime-spec state (what `tinyrun state`
 * prints and what hooks read on stdin) and tinyrun's own state.json, which
 * adds what later commands need to find the container again. */
#ifndef TINYRUN_STATE_JSON_H
#define TINYRUN_STATE_JSON_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci-spec/spec.h"

struct container_state
{
  struct arena arena;        /* owns every string below */
  char *id;
  pid_t pid;
  unsigned long long start_time; /* of pid, from /proc/<pid>/stat: guards against pid reuse */
  char *bundle;
  char *rootfs;
  char *created;             /* RFC 3339, UTC */
  char *owner;
  kvlist annotations;
  char *cgroup_path;         /* as resolved at create time ("" when none) */
  char *cgroup_top;          /* the first level of it that create made; "": none (it existed) */
  bool systemd_cgroup;
  bool pid_ns_shared;        /* the container has no pid namespace of its own */
  bool mount_ns_shared;      /* ...or no mount namespace: its mounts are the host's */
  /* A record written by a `create` still under way (see container/create.c):
   * what exists of the container may be only part of what is described. */
  bool creating;
  pid_t creator_pid;             /* the `create` process writing it */
  unsigned long long creator_start_time;
  bool create_hooks_run;         /* prestart/createRuntime hooks have been started */
  /* The saved config.json has no poststop hook, so delete need not read
   * it ("poststopHooks": false; a record without the field has some). */
  bool no_poststop_hooks;
  /* ...and no poststart hook, with a process to start, so start need not
   * read it either ("poststartHooks": false). */
  bool no_poststart_hooks;
};

/* {"ociVersion","id","status","pid","bundle","annotations"}; caller frees. */
char *state_json_oci (const struct container_state *st, const char *status, size_t *len, tr_error_t *err);

/* tinyrun's state.json; caller frees. */
char *state_json_encode (const struct container_state *st, size_t *len, tr_error_t *err);
int state_json_decode (const char *text, size_t len, struct container_state *st, tr_error_t *err);

void container_state_clear (struct container_state *st);
/* A container_state cleared at the end of its scope. */
#define cleanup_container_state __attribute__ ((cleanup (container_state_clear)))

#endif
