/* Signal names for `kill`: "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3";
 * and the signal state a program tinyrun executes starts with. */
#ifndef TINYRUN_SIGNALS_H
#define TINYRUN_SIGNALS_H

#include "util/error.h"

int signal_parse (const char *text, int *sig, tr_error_t *err);

/* In a forked child before execve of a helper (a hook, criu, nft): no
 * signal blocked and SIGPIPE back to its default; the runtime ignores
 * SIGPIPE and may block signals, and both survive execve. */
void signals_default_for_exec (void);

#endif
