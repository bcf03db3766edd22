#include "config.h"
#include "util/size_parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The multiplier of the unit at `unit`, or 0 for an unknown unit. */
static uint64_t
unit_multiplier (const char *unit)
{
  static const char letters[] = "bkmgt";
  if (*unit == '\0')
    return 1;
  const char *at = strchr (letters, tolower ((unsigned char) *unit));
  if (at == NULL)
    return 0;
  const char *rest = unit + 1;
  if (*rest != '\0' && strcasecmp (rest, "b") != 0 && strcasecmp (rest, "ib") != 0)
    return 0;
  return (uint64_t) 1 << (10 * (at - letters));
}

int
size_parse (const char *flag, const char *text, int64_t *out, tr_error_t *err)
{
  if (strcmp (text, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  size_t digits = strspn (text, "0123456789");
  size_t len = digits;
  if (text[len] == '.')
    len += 1 + strspn (text + len + 1, "0123456789");
  if (digits == 0)
    return tr_error_plain (err, EINVAL, "%s: \"%s\" is not a size", flag, text);
  uint64_t mult = unit_multiplier (text + len);
  if (mult == 0)
    return tr_error_plain (err, EINVAL, "%s: \"%s\" has an unknown unit", flag, text);
  char number[64];
  if (len >= sizeof number)
    return tr_error_plain (err, ERANGE, "%s: \"%s\" is out of range", flag, text);
  memcpy (number, text, len);
  number[len] = '\0';
  if (len == digits)
    {
      errno = 0;
      unsigned long long n = strtoull (number, NULL, 10);
      if (errno == ERANGE || n > (uint64_t) INT64_MAX / mult)
        return tr_error_plain (err, ERANGE, "%s: \"%s\" is out of range", flag, text);
      *out = (int64_t) (n * mult);
      return 0;
    }
  /* A fraction: as a double, which is exact enough for "1.5g". */
  double v = strtod (number, NULL) * (double) mult;
  if (!(v < 9223372036854775808.0))
    return tr_error_plain (err, ERANGE, "%s: \"%s\" is out of range", flag, text);
  *out = (int64_t) v;
  return 0;
}
