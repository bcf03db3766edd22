#include "config.h"
#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
proc_pid_stat (pid_t pid, unsigned long long *start_time, char *state, tr_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  cleanup_free char *buf = read_file_at (AT_FDCWD, path, NULL, err);
  if (buf == NULL)
    return -1;
  /* comm (field 2) may contain spaces and parentheses: parse after the
   * last ')'. */
  char *p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return tr_error_plain (err, EINVAL, "parse %s", path);
  p += 2;
  char st = *p;
  /* Skip fields 3..21 to reach starttime (field 22). */
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return tr_error_plain (err, EINVAL, "parse %s", path);
      p++;
    }
  if (state)
    *state = st;
  if (start_time)
    *start_time = strtoull (p, NULL, 10);
  return 0;
}

bool
proc_pid_is (pid_t pid, unsigned long long start_time)
{
  unsigned long long t;
  char state;
  if (pid <= 0 || proc_pid_stat (pid, &t, &state, NULL) < 0)
    return false;
  return t == start_time && state != 'Z' && state != 'X';
}
