/* libFuzzer target: the command line's sizes (`update --memory 128m`,
 * util/size_parse.c) and signals (`kill CONTAINER RTMIN+3`,
 * util/signals.c).  The input is one argument, cut at its first NUL as
 * argv would be; both parsers see it.  Besides not crashing, a result must
 * make sense: a size is -1 or non-negative, a signal is 1..SIGRTMAX and a
 * decimal signal is the number written. */
#include "config.h"
#include "util/signals.h"
#include "util/size_parse.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_signal (const char *arg)
{
  tr_error_t err = NULL;
  int sig = 0;
  if (signal_parse (arg, &sig, &err) == 0)
    {
      if (sig < 1 || sig > SIGRTMAX)
        __builtin_trap ();
      if (arg[0] >= '0' && arg[0] <= '9' && strtol (arg, NULL, 10) != sig)
        __builtin_trap ();
    }
  tr_error_free (&err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *arg = strndup ((const char *) data, size);
  if (arg == NULL)
    return 0;
  tr_error_t err = NULL;
  int64_t v = 0;
  if (size_parse ("--memory", arg, &v, &err) == 0 && v < -1)
    __builtin_trap ();
  tr_error_free (&err);
  check_signal (arg);
  free (arg);
  return 0;
}
