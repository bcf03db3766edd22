#include "config.h"
#include "container/entry.h"
#include "linux/self_protect.h"

#include <string.h>

static char **saved_argv;

bool
container_command_enters (const char *command)
{
  static const char *const entering[] = { "create", "run", "exec" };
  for (size_t i = 0; i < sizeof entering / sizeof entering[0]; i++)
    if (strcmp (command, entering[i]) == 0)
      return true;
  return false;
}

void
container_entry_prepare (char **argv)
{
  saved_argv = argv;
}

int
container_protect_binary (const struct spec *spec, bool for_exec, tr_error_t *err)
{
  bool needed = for_exec ? spec_find_namespace (spec, NS_USER) == NULL : self_protect_ptrace_reachable (spec, NULL);
  if (!needed || saved_argv == NULL)
    return 0;
  return self_protect_exec_readonly (saved_argv, err);
}
