/* spec_parse of one config.json, N times: the time per parse, warm, and
 * of the first one.  Built and run by bench/parse-bench. */
#include "config.h"
#include "oci-spec/spec.h"
#include "util/fileutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now_us (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec * 1e6 + (double) t.tv_nsec / 1e3;
}

static int
parse_once (const char *text, size_t len)
{
  tr_error_t err = NULL;
  struct spec *spec = spec_parse (text, len, &err);
  if (spec == NULL)
    {
      fprintf (stderr, "parse-bench: %s\n", err->msg);
      tr_error_free (&err);
      return -1;
    }
  spec_free (spec);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: parse_bench CONFIG N\n");
      return 2;
    }
  tr_error_t err = NULL;
  size_t len = 0;
  char *text = read_file_at (AT_FDCWD, argv[1], &len, &err);
  if (text == NULL)
    {
      fprintf (stderr, "parse-bench: %s\n", err->msg);
      return 1;
    }
  int n = atoi (argv[2]);
  double t = now_us ();
  if (parse_once (text, len) < 0)
    return 1;
  double first = now_us () - t;
  t = now_us ();
  for (int i = 0; i < n; i++)
    if (parse_once (text, len) < 0)
      return 1;
  printf ("%-28s %7zu bytes   first %7.1f us   then %7.1f us per parse\n", argv[1], len, first, (now_us () - t) / n);
  free (text);
  return 0;
}
