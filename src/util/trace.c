#include "config.h"
#include "util/trace.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool trace_env;
static long long trace_origin_us;

static long long
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Before main(): the origin of every mark, and the environment, once. */
__attribute__ ((constructor)) static void
trace_setup (void)
{
  const char *v = getenv ("TINYRUN_TRACE");
  trace_env = v != NULL && v[0] != '\0' && strcmp (v, "0") != 0;
  trace_origin_us = now_us ();
}

bool
trace_enabled (void)
{
  return trace_env || log_debug_enabled ();
}

void
trace_mark (const char *phase)
{
  if (!trace_env && !log_debug_enabled ())
    return;
  log_msg (LOG_LEVEL_DEBUG, "trace: %s %lld us", phase, now_us () - trace_origin_us);
}
