/* tinyrun-glibc: the same tinyrun built against glibc, installed beside a
 * tinyrun built against musl (musl/README.md says why: glibc's start-up
 * alone cost a sixth of a `run` on the test VMs).  A static musl program
 * cannot load a shared library, so what needs one (libsystemd's sd-bus,
 * for the systemd cgroup driver) starts over in the sibling: the same
 * command line, executed from a verified fd. */
#ifndef TINYRUN_LIBC_SIBLING_H
#define TINYRUN_LIBC_SIBLING_H

#include <stdbool.h>

#include "util/error.h"

#define LIBC_SIBLING_NAME "tinyrun-glibc"
#define LIBC_SIBLING_MARK "_TINYRUN_FROM_MUSL"

/* Whether this build can load shared libraries with dlopen (glibc, even
 * statically linked); false for the musl build. */
bool libc_sibling_can_dlopen (void);

/* Execute LIBC_SIBLING_NAME from the directory of /proc/self/exe with
 * argv: a regular, executable file owned by root, by us or by the owner
 * of the running binary, writable by no one else, opened
 * O_PATH|O_NOFOLLOW and run with execveat.  The environment carries this
 * build's commit to it (LIBC_SIBLING_MARK); found already set, the
 * sibling was this same musl build (a loop) and it is refused.  Does not
 * return on success; `why` heads the error (the flag that needs the
 * sibling). */
int libc_sibling_exec (char **argv, const char *why, tr_error_t *err);

/* In the sibling, first thing: LIBC_SIBLING_MARK, when set, must name
 * this build's own commit (a tinyrun-glibc left from another build is
 * refused); it is removed from the environment either way. */
int libc_sibling_arrived (tr_error_t *err);

#endif
