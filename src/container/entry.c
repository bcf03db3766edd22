#include "config.h"
#include "container/entry.h"
#include "linux/libc_sibling.h"
#include "linux/self_protect.h"


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
