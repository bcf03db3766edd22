#include "config.h"
#include "linux/lsm.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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
  (void) err; /* nothing to refuse before the LSM itself judges the label */
  if (p->apparmor_profile && p->apparmor_profile[0])
    {
      if (apparmor_enabled ())
        return 0;
      log_warning ("process.apparmorProfile \"%s\" ignored: AppArmor is not enabled on this host",
                   p->apparmor_profile);
    }
  bool se = selinux_enabled ();
  if (p->selinux_label && p->selinux_label[0])
    {
      if (se)
        return 0;
      log_warning ("process.selinuxLabel \"%s\" ignored: SELinux is not enabled on this host", p->selinux_label);
    }
  if (mount_label && mount_label[0])
    {
      if (se)
        return 0;
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

/* The kernel applies an exec label at the next execve: AppArmor takes
 * "exec <profile>" (in its own attr directory on newer kernels), SELinux
 * the bare context.  A label the LSM refuses is an error. */
static int
write_attr (const char *path, const char *value, const char *field, tr_error_t *err)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "%s: open %s", field, path);
  ssize_t n = write (fd, value, strlen (value));
  int saved = errno;
  close (fd);
  if (n < 0)
    return tr_error (err, saved, "%s: write %s", field, path);
  return 0;
}

int
lsm_apply_exec_labels (const struct spec_process *p, tr_error_t *err)
{
  if (p->apparmor_profile && p->apparmor_profile[0] && apparmor_enabled ())
    {
      char value[1100];
      snprintf (value, sizeof value, "exec %s", p->apparmor_profile);
      const char *path = access ("/proc/self/attr/apparmor/exec", F_OK) == 0 ? "/proc/self/attr/apparmor/exec"
                                                                            : "/proc/self/attr/exec";
      if (write_attr (path, value, "process.apparmorProfile", err) < 0)
        return -1;
    }
  if (p->selinux_label && p->selinux_label[0] && selinux_enabled ()
      && write_attr ("/proc/self/attr/exec", p->selinux_label, "process.selinuxLabel", err) < 0)
    return -1;
  return 0;
}
