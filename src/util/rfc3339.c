#include "config.h"
#include "util/rfc3339.h"

#include <stdio.h>

/* Days since 1970-01-01 to a proleptic Gregorian date: the era/day-of-era
 * method (H. Hinnant, "chrono-compatible low-level date algorithms"). */
static void
civil_from_days (long long z, long long *y, unsigned *m, unsigned *d)
{
  z += 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned) (z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (long long) yoe + era * 400 + (*m <= 2);
}

void
rfc3339_utc_seconds (char *out, size_t size, time_t t)
{
  long long days = t / 86400, secs = t % 86400;
  if (secs < 0)
    {
      secs += 86400;
      days--;
    }
  long long y;
  unsigned m, d;
  civil_from_days (days, &y, &m, &d);
  snprintf (out, size, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", y, m, d, secs / 3600, secs / 60 % 60, secs % 60);
}
