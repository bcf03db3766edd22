#include "config.h"
#include "linux/sysctl.h"
#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Is the namespace given by path the runtime's own (the "host's": here
 * that means the current one, as runc reads it)? */
static bool
is_current_ns (const char *path, const char *self)
{
  struct stat a, b;
  return stat (path, &a) == 0 && stat (self, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* runc's rule: the container must have the namespace (its own, or one it
 * joins by path); a network namespace given by path must not be the
 * runtime's own. */
static bool
in_container_ns (const struct spec *spec, enum spec_ns_type type)
{
  const struct spec_namespace *ns = spec_find_namespace (spec, type);
  if (ns == NULL)
    return false;
  return type != NS_NETWORK || ns->path == NULL || !is_current_ns (ns->path, "/proc/self/ns/net");
}

/* The namespace a sysctl belongs to, or -1 when it is not namespaced. */
static int
sysctl_namespace (const char *key)
{
  static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                     "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced" };
  for (size_t i = 0; i < sizeof ipc / sizeof ipc[0]; i++)
    if (strcmp (key, ipc[i]) == 0)
      return NS_IPC;
  if (strncmp (key, "fs.mqueue.", 10) == 0)
    return NS_IPC;
  if (strncmp (key, "net.", 4) == 0)
    return NS_NETWORK;
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    return NS_UTS;
  return -1;
}

int
sysctl_validate (const struct spec *spec, tr_error_t *err)
{
  const kvlist *s = spec->linux_ ? &spec->linux_->sysctl : NULL;
  for (size_t i = 0; s && i < s->n; i++)
    {
      const char *key = s->v[i].key;
      if (strstr (key, "..") || key[0] == '/' || key[0] == '.')
        return tr_error_plain (err, EINVAL, "linux.sysctl.%s: invalid name", key);
      int ns = sysctl_namespace (key);
      if (ns < 0)
        return tr_error_plain (err, EPERM, "linux.sysctl.%s: not a namespaced sysctl, it would change the host", key);
      if (strcmp (key, "kernel.hostname") == 0)
        return tr_error_plain (err, EINVAL, "linux.sysctl.%s: set the hostname field instead", key);
      if (!in_container_ns (spec, (enum spec_ns_type) ns))
        return tr_error_plain (err, EPERM, "linux.sysctl.%s: not allowed in the host's %s namespace", key,
                               spec_ns_name ((enum spec_ns_type) ns));
    }
  return 0;
}

int
sysctl_apply (const struct spec *spec, tr_error_t *err)
{
  const kvlist *s = spec->linux_ ? &spec->linux_->sysctl : NULL;
  if (s == NULL || s->n == 0)
    return 0;
  /* Not the path /proc/sys: after pivot_root the container decides what
   * is there (CVE-2025-52881). */
  cleanup_close int procfd = procfs_open_root (err);
  if (procfd < 0)
    return tr_error_wrap (err, "linux.sysctl");
  for (size_t i = 0; i < s->n; i++)
    {
      char path[512];
      snprintf (path, sizeof path, "sys/%s", s->v[i].key);
      for (char *p = path + 4; *p; p++)
        if (*p == '.')
          *p = '/';
      cleanup_close int fd = procfs_open_file (procfd, path, O_WRONLY, err);
      if (fd < 0 || write_all_fd (fd, s->v[i].value, strlen (s->v[i].value), err) < 0)
        return tr_error_wrap (err, "linux.sysctl.%s", s->v[i].key);
    }
  return 0;
}
