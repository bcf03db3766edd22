/* Keeping the container away from the runtime itself.
 *
 * CVE-2019-5736 class: a process in the container opens the runtime's
 * binary through /proc/<pid>/exe of a runtime process that has entered the
 * container's namespaces, and overwrites it once that process exits.  Two
 * defences:
 *
 * - every tinyrun process that enters a container makes itself
 *   non-dumpable first: /proc/<pid>/exe (like the rest of /proc/<pid>)
 *   then needs CAP_SYS_PTRACE in the runtime's user namespace; execve
 *   makes the user's process dumpable again;
 * - a container granted CAP_SYS_PTRACE passes that check, so `create`
 *   and `run` of such a container, and every `exec` into a container
 *   without a user namespace of its own, run from a read-only view of the
 *   binary (self_protect_exec_readonly): /proc/<pid>/exe then leads to a
 *   file on a read-only mount, which no one can open for writing (EROFS).
 *   See container/entry.h for when. */
#ifndef TINYRUN_SELF_PROTECT_H
#define TINYRUN_SELF_PROTECT_H

#include <stdbool.h>

#include "oci-spec/spec.h"
#include "util/error.h"

/* Call in the child, before it joins or creates anything of the
 * container's (the init, and the exec path). */
int self_protect_before_entering (tr_error_t *err);

/* Whether a process of the container could hold CAP_SYS_PTRACE in the
 * runtime's (the host's) user namespace, and so pass the non-dumpable
 * check: no user namespace of its own, and CAP_SYS_PTRACE in one of the
 * sets of spec->process or of extra (exec's process; may be NULL), or a
 * process without a capabilities object (it keeps all of root's). */
bool self_protect_ptrace_reachable (const struct spec *spec, const struct spec_process *extra);

/* Unless the running binary is already on a read-only mount: execveat()
 * the same binary, same argv and environment, from a detached read-only
 * clone of the mount of its directory (open_tree + mount_setattr; the
 * mount lives as long as a process runs from it, nothing is left in any
 * mount table).  Returns 0 without re-executing where that view cannot be
 * made (no CAP_SYS_ADMIN, an old kernel): the non-dumpable defence stays.
 * An environment variable marks the re-executed process so that it never
 * loops; it is removed again. */
int self_protect_exec_readonly (char **argv, tr_error_t *err);

/* Does process pid run from a read-only view of its binary (so that its
 * /proc/<pid>/exe cannot be opened for writing)? */
bool self_protect_pid_exe_readonly (pid_t pid);

#endif
