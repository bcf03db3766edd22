/* Keeping the container away from the runtime itself.
 *
 * CVE-2019-5736 class: a process in the container opens the runtime's
 * binary through /proc/<pid>/exe of a runtime process that has entered the
 * container's namespaces, and overwrites it once that process exits.
 * tinyrun never re-executes itself, so the exe link cannot be pointed at a
 * sealed copy; instead every tinyrun process that enters a container makes
 * itself non-dumpable first.  /proc/<pid>/exe (like the rest of /proc/<pid>)
 * then needs CAP_SYS_PTRACE in the runtime's user namespace, which a
 * container does not have (and a container that has it could ptrace the
 * host anyway).  execve makes the user's process dumpable again. */
#ifndef TINYRUN_SELF_PROTECT_H
#define TINYRUN_SELF_PROTECT_H

#include "util/error.h"

/* Call in the child, before it joins or creates anything of the
 * container's (the init, and the exec path). */
int self_protect_before_entering (tr_error_t *err);

#endif
