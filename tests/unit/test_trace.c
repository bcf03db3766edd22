#include "unit.h"
#include "util/log.h"
#include "util/trace.h"

#include <stdlib.h>

static char last[256];
static int count;

static bool
capture (enum log_level level, const char *msg, void *data)
{
  (void) data;
  if (level == LOG_LEVEL_DEBUG)
    snprintf (last, sizeof last, "%s", msg);
  count++;
  return true;
}

/* Marks are debug lines "trace: PHASE N us", N microseconds since the
 * program started and never decreasing; without --debug or TINYRUN_TRACE
 * there are none. */
TEST (trace_marks)
{
  bool env = getenv ("TINYRUN_TRACE") && strcmp (getenv ("TINYRUN_TRACE"), "0") != 0;
  log_set_sink (capture, NULL);
  log_set_debug (false);
  count = 0;
  trace_mark ("test: quiet");
  CHECK (count == (env ? 1 : 0));
  log_set_debug (true);
  trace_mark ("test: one");
  long long a = -1, b = -1;
  CHECK (sscanf (last, "trace: test: one %lld us", &a) == 1 && a >= 0);
  trace_mark ("test: two");
  CHECK (sscanf (last, "trace: test: two %lld us", &b) == 1 && b >= a);
  CHECK (trace_enabled ());
  log_set_debug (false);
  log_set_sink (NULL, NULL);
}
