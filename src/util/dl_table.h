/* A table of functions from a shared library loaded with dlopen, for the
 * libraries tinyrun loads only when it needs them
 * (libsystemd: cgroup/systemd/sd_lib.c). */
#ifndef TINYRUN_UTIL_DL_TABLE_H
#define TINYRUN_UTIL_DL_TABLE_H

#include <stddef.h>

#include "util/error.h"

/* One member of the caller's table and the symbol that fills it. */
struct dl_symbol
{
  const char *symbol;
  size_t offset; /* offsetof the member */
};

/* dlopen `library` (RTLD_NOW | RTLD_LOCAL; kept for the life of the
 * process: neither library has an unload story) and fill `table` from
 * symbols[0..n-1]: pass a scratch copy and keep it only on success.  The
 * handle, or NULL with "<what>: load <library> (install <package>): ..."
 * or "<what>: <library> has no <symbol>". */
void *dl_table_load (const char *what, const char *library, const char *package, const struct dl_symbol *symbols,
                     size_t n, void *table, tr_error_t *err);

#endif
