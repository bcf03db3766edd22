#include "config.h"
#include "util/syscalls.h"

#include <grp.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/prctl.h>

static int
real_join_session_keyring (const char *name)
{
  return (int) syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
}

static int
real_prctl (int option, unsigned long arg)
{
  return prctl (option, arg, 0, 0, 0);
}

static int
real_sethostname (const char *name, size_t len)
{
  return sethostname (name, len);
}

static int
real_setdomainname (const char *name, size_t len)
{
  return setdomainname (name, len);
}

static int
real_setgroups (size_t n, const gid_t *groups)
{
  return setgroups (n, groups);
}

static int
real_close_range (unsigned first, unsigned last, unsigned flags)
{
  return sys_close_range (first, last, flags);
}

static int
real_setsid (void)
{
  return setsid () < 0 ? -1 : 0;
}

const struct tr_sys tr_sys_real = {
  .unshare = unshare,
  .setns = setns,
  .sethostname = real_sethostname,
  .setdomainname = real_setdomainname,
  .join_session_keyring = real_join_session_keyring,
  .setgroups = real_setgroups,
  .setresgid = setresgid,
  .setresuid = setresuid,
  .prctl = real_prctl,
  .close_range = real_close_range,
  .setsid = real_setsid,
  .execve = execve,
};

const struct tr_sys *tr_sys = &tr_sys_real;
