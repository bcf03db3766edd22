/* UTC timestamps as RFC 3339 writes them.  The calendar date is computed
 * here: glibc's gmtime_r() and strftime() both load /etc/localtime
 * (tzset) on first use, seven system calls on every create for a zone
 * that no field of ours uses. */
#ifndef TINYRUN_RFC3339_H
#define TINYRUN_RFC3339_H

#include <stddef.h>
#include <time.h>

/* "2026-12-02T11:14:53" (UTC, no zone suffix) into out, size >= 20. */
void rfc3339_utc_seconds (char *out, size_t size, time_t t);

#endif
