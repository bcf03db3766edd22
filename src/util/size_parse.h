/* Sizes on the command line: "-1" (unlimited), "1048576", "128m", "1.5G",
 * "4KiB", "10kb".  Strict: digits, an optional fraction and one unit
 * (b, k, m, g, t, each optionally followed by "b" or "ib"); nothing else
 * ("1e3", " 5", "inf", "0x10" are refused) and no result above INT64_MAX. */
#ifndef TINYRUN_SIZE_PARSE_H
#define TINYRUN_SIZE_PARSE_H

#include <stdint.h>

#include "util/error.h"

/* Errors name `flag`: "--memory: \"99999999999999999999\" is out of range". */
int size_parse (const char *flag, const char *text, int64_t *out, tr_error_t *err);

#endif
