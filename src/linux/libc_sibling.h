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

/* Whether this build can load shared libraries with dlopen (glibc, even
 * statically linked); false for the musl build. */
bool libc_sibling_can_dlopen (void);

/* Execute LIBC_SIBLING_NAME from the directory of /proc/self/exe with
 * argv: a regular, executable file owned by root or by us and writable
 * by no one else, opened O_PATH|O_NOFOLLOW and run with execveat.  Does
 * not return on success; `why` heads the error (the flag or field that
 * needs the sibling). */
int libc_sibling_exec (char **argv, const char *why, tr_error_t *err);

#endif
