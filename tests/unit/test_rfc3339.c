#include "unit.h"
#include "util/rfc3339.h"

/* Against the dates `date -u -d @T` prints, across leap days, century
 * rules and both sides of the epoch. */
TEST (rfc3339_utc_seconds)
{
  static const struct
  {
    long long t;
    const char *want;
  } cases[] = {
    { 0, "1970-01-01T00:00:00" },
    { -1, "1969-12-31T23:59:59" },
    { 951782400, "2000-02-29T00:00:00" },
    { 951868799, "2000-02-29T23:59:59" },
    { 4107542400LL, "2100-03-01T00:00:00" },
    { 1709164800, "2024-02-29T00:00:00" },
    { 1796210093, "2026-12-02T11:14:53" },
    { 253402300799LL, "9999-12-31T23:59:59" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char out[32];
      rfc3339_utc_seconds (out, sizeof out, (time_t) cases[i].t);
      CHECK_STR (out, cases[i].want);
    }
}
