#include "unit.h"
#include "util/decimal.h"

#include <inttypes.h>

/* decimal_before writes what "%" PRIu64 prints: the seccomp cache's digest
 * and the parser's field paths depend on it. */
TEST (decimal_before_is_printf)
{
  static const uint64_t values[] = { 0, 1, 9, 10, 99, 100, 4294967295u, 4294967296u, 9223372036854775807u,
                                     UINT64_MAX };
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
    {
      char buf[DECIMAL_MAX_DIGITS + 1], want[32];
      buf[DECIMAL_MAX_DIGITS] = '\0';
      const char *got = decimal_before (buf + DECIMAL_MAX_DIGITS, values[i]);
      snprintf (want, sizeof want, "%" PRIu64, values[i]);
      CHECK (strcmp (got, want) == 0);
    }
}
