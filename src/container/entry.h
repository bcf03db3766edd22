/* What a command does on the host before anything else: `create`, `run`
 * and `exec` before anything of theirs can enter a container, any command
 * before it talks to systemd. */
#ifndef TINYRUN_CONTAINER_ENTRY_H
#define TINYRUN_CONTAINER_ENTRY_H

#include <stdbool.h>

#include "oci-spec/spec.h"
#include "util/error.h"

/* First thing of every command: remember main's whole argv (for a
 * re-execution). */
void container_entry_prepare (char **argv);

/* CVE-2019-5736 with CAP_SYS_PTRACE: re-execute from a read-only view
 * of the binary (linux/self_protect.h; on success this does not return,
 * the new process starts the command over) where a container process
 * might pass the non-dumpable check.  Call once the spec is parsed,
 * before it is validated (its warnings would show twice), before
 * anything is read from a file that may be a pipe (exec --process) and
 * before anything is created.  create/run: when the container may hold
 * CAP_SYS_PTRACE in the host's user namespace.  exec (for_exec):
 * whenever the container has no user namespace of its own, as an earlier
 * exec may have granted the capability.  Elsewhere the fast path pays
 * nothing. */
int container_protect_binary (const struct spec *spec, bool for_exec, tr_error_t *err);

/* A musl build cannot load libsystemd (linux/libc_sibling.h): a command
 * that talks to systemd (`systemd`: --systemd-cgroup given to one of the
 * commands below, or a container recorded with it) starts over in
 * tinyrun-glibc.  Call before anything is made, changed or read from
 * stdin; on success this does not return.  Elsewhere, and in the glibc
 * build, it does nothing. */
int container_systemd_reachable (bool systemd, tr_error_t *err);

/* The same for the container `id` of `root`, by its state (update, before
 * it reads --resources). */
int container_systemd_reachable_for (const char *root, const char *id, tr_error_t *err);

/* Whether the command may talk to systemd (create, run, restore, exec,
 * update, delete, checkpoint); the others only read or signal. */
bool container_command_may_use_systemd (const char *command);

/* First thing of main: in tinyrun-glibc, what the musl build's
 * re-execution left in the environment is checked (the same build) and
 * removed. */
int container_entry_arrived (tr_error_t *err);

#endif
