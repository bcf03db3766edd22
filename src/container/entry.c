#include "config.h"
#include "container/entry.h"
#include "container/container.h"
#include "linux/libc_sibling.h"
#include "linux/self_protect.h"

#include <string.h>

static char **saved_argv;

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

int
container_systemd_reachable (bool systemd, tr_error_t *err)
{
  if (!systemd || libc_sibling_can_dlopen () || saved_argv == NULL)
    return 0;
  return libc_sibling_exec (saved_argv, "--systemd-cgroup", err);
}

int
container_systemd_reachable_for (const char *root, const char *id, tr_error_t *err)
{
  if (libc_sibling_can_dlopen ())
    return 0;
  struct container_state st = { 0 };
  enum container_status status;
  int ret = container_load (root, id, &st, &status, err) < 0 ? -1 : container_systemd_reachable (st.systemd_cgroup, err);
  container_state_clear (&st);
  return ret;
}

bool
container_command_may_use_systemd (const char *command)
{
  static const char *const users[] = { "create", "run", "restore", "exec", "update", "delete", "checkpoint" };
  for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
    if (strcmp (command, users[i]) == 0)
      return true;
  return false;
}

int
container_entry_arrived (tr_error_t *err)
{
  return libc_sibling_arrived (err);
}
