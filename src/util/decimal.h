/* Unsigned decimals written backwards into a buffer, without printf: for
 * the few places that format many numbers (JSON field paths, the seccomp
 * cache's digest). */
#ifndef TINYRUN_UTIL_DECIMAL_H
#define TINYRUN_UTIL_DECIMAL_H

#include <stdint.h>

/* The digits of v, ending just before `end` (no NUL), at most
 * DECIMAL_MAX_DIGITS of them; returns where they start. */
#define DECIMAL_MAX_DIGITS 20
char *decimal_before (char *end, uint64_t v);

#endif
