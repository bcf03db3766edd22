#include "config.h"
#include "linux/lsm.h"
#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

static struct
{
  bool detected;
  bool apparmor;
  bool selinux;
} host;

/* securityfs's comma-separated list of active LSMs, or NULL where it is
 * not mounted. */
static bool
lsm_listed (const char *list, const char *name)
{
  size_t n = strlen (name);
  for (const char *p = list; p && (p = strstr (p, name)) != NULL; p += n)
    if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\n' || p[n] == '\0'))
      return true;
  return false;
}

/* Look at the host (securityfs's lsm list, AppArmor's module parameter,
 * selinuxfs) once; later calls keep the first answer. */
static void
lsm_detect_host (void)
{
  if (host.detected)
    return;
  cleanup_free char *list = read_file_at (AT_FDCWD, "/sys/kernel/security/lsm", NULL, NULL);
  cleanup_free char *aa = read_file_at (AT_FDCWD, "/sys/module/apparmor/parameters/enabled", NULL, NULL);
  /* As runc's apparmor.IsEnabled: the module says "Y" (and, where the
   * list is readable, AppArmor is on it). */
  host.apparmor = aa && aa[0] == 'Y' && (list == NULL || lsm_listed (list, "apparmor"));
  /* As go-selinux: selinuxfs is there. */
  host.selinux = access ("/sys/fs/selinux/enforce", F_OK) == 0 && (list == NULL || lsm_listed (list, "selinux"));
  host.detected = true;
}

int
lsm_validate (const struct spec_process *p, const char *mount_label, tr_error_t *err)
{
  bool aa = p->apparmor_profile && p->apparmor_profile[0];
  bool se = p->selinux_label && p->selinux_label[0];
  if (!aa && !se && !(mount_label && mount_label[0]))
    return 0; /* nothing to look at the host for (three lookups) */
  lsm_detect_host ();
  if (p->apparmor_profile && p->apparmor_profile[0] && !host.apparmor)
    return tr_error_plain (err, EINVAL, "process.apparmorProfile: AppArmor is not enabled on this host");
  if (p->selinux_label && p->selinux_label[0] && !host.selinux)
    return tr_error_plain (err, EINVAL, "process.selinuxLabel: SELinux is not enabled on this host");
  if (mount_label && mount_label[0] && !host.selinux)
    return tr_error_plain (err, EINVAL, "linux.mountLabel: SELinux is not enabled on this host");
  return 0;
}

const char *
lsm_mount_label (const struct spec *spec)
{
  const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;
  return label && label[0] && host.detected && host.selinux ? label : NULL;
}

/* The kernel applies an exec label at the next execve: AppArmor takes
 * "exec <profile>" (in its own attr directory on newer kernels), SELinux
 * the bare context.  A label the LSM refuses is an error. */
static int
write_attr (int procfd, const char *const *paths, const char *value, const char *field, tr_error_t *err)
{
  cleanup_close int fd = procfs_open_file (procfd, paths[0], O_WRONLY, err);
  if (fd < 0 && paths[1] && err && *err && (*err)->status == ENOENT)
    {
      tr_error_free (err);
      fd = procfs_open_file (procfd, paths[1], O_WRONLY, err);
    }
  if (fd < 0 || write_all_fd (fd, value, strlen (value), err) < 0)
    return tr_error_wrap (err, "%s", field);
  return 0;
}

static int
check_enabled (bool requested, bool enabled, const char *field, const char *lsm, tr_error_t *err)
{
  if (requested && !host.detected)
    return tr_error_plain (err, EINVAL, "%s: the host's LSM was not detected before entering the container", field);
  if (requested && !enabled)
    return tr_error_plain (err, EINVAL, "%s: %s is not enabled on this host", field, lsm);
  return 0;
}

int
lsm_apply_exec_labels (const struct spec_process *p, tr_error_t *err)
{
  bool aa = p->apparmor_profile && p->apparmor_profile[0];
  bool se = p->selinux_label && p->selinux_label[0];
  if (!aa && !se)
    return 0;
  if (check_enabled (aa, host.apparmor, "process.apparmorProfile", "AppArmor", err) < 0
      || check_enabled (se, host.selinux, "process.selinuxLabel", "SELinux", err) < 0)
    return -1;
  cleanup_close int procfd = procfs_open_root (err);
  if (procfd < 0)
    return -1;
  if (aa)
    {
      static const char *const paths[] = { "thread-self/attr/apparmor/exec", "thread-self/attr/exec", NULL };
      char value[1100];
      snprintf (value, sizeof value, "exec %s", p->apparmor_profile);
      if (write_attr (procfd, paths, value, "process.apparmorProfile", err) < 0)
        return -1;
    }
  static const char *const se_paths[] = { "thread-self/attr/exec", NULL };
  if (se && write_attr (procfd, se_paths, p->selinux_label, "process.selinuxLabel", err) < 0)
    return -1;
  return 0;
}
