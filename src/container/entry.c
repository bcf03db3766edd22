#include "config.h"
#include "container/entry.h"
#include "linux/lsm.h"
#include "linux/self_protect.h"

#include <string.h>

bool
container_command_enters (const char *command)
{
  static const char *const entering[] = { "create", "run", "exec" };
  for (size_t i = 0; i < sizeof entering / sizeof entering[0]; i++)
    if (strcmp (command, entering[i]) == 0)
      return true;
  return false;
}

int
container_entry_prepare (char **argv, tr_error_t *err)
{
  if (self_protect_exec_readonly (argv, err) < 0)
    return -1;
  lsm_detect_host ();
  return 0;
}
