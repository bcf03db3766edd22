#include "config.h"
#include "cli/cmd.h"
#include "util/size_parse.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
cmd_usage_error (tr_error_t *err, const char *command, const char *usage)
{
  tr_error_plain (err, EINVAL, "usage: tinyrun %s %s", command, usage);
  return 1;
}

int
cmd_take_id (int argc, char **argv, const char *command, const char *usage, const char **id, tr_error_t *err)
{
  if (optind != argc - 1)
    {
      cmd_usage_error (err, command, usage);
      return -1;
    }
  *id = argv[optind];
  return 0;
}

int
cmd_parse_int (const char *flag, const char *value, int *out, tr_error_t *err)
{
  char *end;
  errno = 0;
  long v = strtol (value, &end, 10);
  if (*value == '\0' || *end != '\0' || errno || v < 0 || v > INT_MAX)
    return tr_error_plain (err, EINVAL, "%s: \"%s\" is not a valid number", flag, value);
  *out = (int) v;
  return 0;
}

/* Strict (util/size_parse.h): a number too large for int64 is an error,
 * not an undefined conversion. */
int
cmd_parse_size (const char *flag, const char *value, int64_t *out, tr_error_t *err)
{
  return size_parse (flag, value, out, err);
}
