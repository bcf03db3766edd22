#include "unit.h"
#include "util/signals.h"

#include <signal.h>

TEST (signal_names_and_numbers)
{
  int sig = 0;
  tr_error_t err = NULL;
  CHECK (signal_parse ("TERM", &sig, &err) == 0 && sig == SIGTERM);
  CHECK (signal_parse ("SIGKILL", &sig, &err) == 0 && sig == SIGKILL);
  CHECK (signal_parse ("sigusr1", &sig, &err) == 0 && sig == SIGUSR1);
  CHECK (signal_parse ("15", &sig, &err) == 0 && sig == 15);
  CHECK (signal_parse ("RTMIN+2", &sig, &err) == 0 && sig == SIGRTMIN + 2);
  CHECK (signal_parse ("SIGRTMAX-1", &sig, &err) == 0 && sig == SIGRTMAX - 1);
  CHECK (signal_parse ("BOGUS", &sig, &err) < 0);
  CHECK_ERR (err, "unknown signal \"BOGUS\"");
  CHECK (signal_parse ("0", &sig, &err) < 0);
  CHECK (signal_parse ("99999", &sig, &err) < 0);
  CHECK (signal_parse ("9x", &sig, &err) < 0);
  tr_error_free (&err);
}
