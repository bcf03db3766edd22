/* Signal names for `kill`: "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3". */
#ifndef TINYRUN_SIGNALS_H
#define TINYRUN_SIGNALS_H

#include "util/error.h"

int signal_parse (const char *text, int *sig, tr_error_t *err);

#endif
