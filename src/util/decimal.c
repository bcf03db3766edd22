#include "config.h"
#include "util/decimal.h"

char *
decimal_before (char *end, uint64_t v)
{
  do
    *--end = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  return end;
}
