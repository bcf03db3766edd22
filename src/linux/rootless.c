#include "config.h"
#include "linux/rootless.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int forced = -1; /* --rootless: 1 true, 0 false, -1 auto */

int
rootless_set (const char *value, tr_error_t *err)
{
  if (strcmp (value, "true") == 0)
    forced = 1;
  else if (strcmp (value, "false") == 0)
    forced = 0;
  else if (strcmp (value, "auto") == 0)
    forced = -1;
  else
    return tr_error_plain (err, EINVAL, "--rootless: \"%s\" is not true, false or auto", value);
  return 0;
}

bool
rootless_in_user_ns (void)
{
  static int cached = -1;
  if (cached >= 0)
    return cached;
  cleanup_file FILE *f = fopen ("/proc/self/uid_map", "re");
  unsigned long inside, outside, count;
  /* No /proc: assume the host's namespace, as runc does. */
  if (f == NULL || fscanf (f, "%lu %lu %lu", &inside, &outside, &count) != 3)
    return (cached = 0);
  cached = !(inside == 0 && outside == 0 && count == 4294967295UL);
  return cached;
}

bool
rootless (void)
{
  if (forced >= 0)
    return forced;
  return geteuid () != 0 || rootless_in_user_ns ();
}
