#include "config.h"
#include "lsm.h"
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

static bool
apparmor_enabled (void)
{
  char c = 'N';
  FILE *f = fopen ("/sys/module/apparmor/parameters/enabled", "re");
  if (f)
    {
      if (fread (&c, 1, 1, f) != 1)
        c = 'N';
      fclose (f);
    }
  return c == 'Y';
}

static bool
selinux_enabled (void)
{
  return access ("/sys/fs/selinux/enforce", F_OK) == 0;
}

int
lsm_validate (const struct spec_process *p, const char *mount_label, tr_error_t *err)
{
  if (p->apparmor_profile && p->apparmor_profile[0])
    {
      if (apparmor_enabled ())
        return tr_error_plain (err, ENOTSUP, "process.apparmorProfile: not supported yet");
      log_warning ("process.apparmorProfile \"%s\" ignored: AppArmor is not enabled on this host",
                   p->apparmor_profile);
    }
  bool se = selinux_enabled ();
  if (p->selinux_label && p->selinux_label[0])
    {
      if (se)
        return tr_error_plain (err, ENOTSUP, "process.selinuxLabel: not supported yet");
      log_warning ("process.selinuxLabel \"%s\" ignored: SELinux is not enabled on this host", p->selinux_label);
    }
  if (mount_label && mount_label[0])
    {
      if (se)
        return tr_error_plain (err, ENOTSUP, "linux.mountLabel: not supported yet");
      log_warning ("linux.mountLabel \"%s\" ignored: SELinux is not enabled on this host", mount_label);
    }
  return 0;
}

const char *
lsm_mount_label (const struct spec *spec)
{
  const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;
  return label && label[0] && selinux_enabled () ? label : NULL;
}
