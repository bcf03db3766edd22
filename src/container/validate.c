#include "config.h"
#include "container/validate.h"
#include "linux/caps.h"
#include "linux/idmap_mount.h"
#include "linux/intelrdt.h"
#include "linux/lsm.h"
#include "linux/netdev.h"
#include "linux/process_attrs.h"
#include "linux/seccomp.h"
#include "linux/sysctl.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* The kernel's limit for a host or domain name (__NEW_UTS_LEN). */
#define UTS_NAME_MAX 64

static int
validate_namespaces (const struct spec *spec, tr_error_t *err)
{
  /* Setting them in the host's UTS namespace would rename the host. */
  const struct spec_namespace *uts = spec_find_namespace (spec, NS_UTS);
  if ((spec->hostname && spec->hostname[0]) && uts == NULL)
    return tr_error_plain (err, EINVAL, "hostname: setting it needs a uts namespace");
  if ((spec->domainname && spec->domainname[0]) && uts == NULL)
    return tr_error_plain (err, EINVAL, "domainname: setting it needs a uts namespace");
  /* sethostname(2) and setdomainname(2) refuse more than the kernel's 64
   * bytes (__NEW_UTS_LEN; musl's HOST_NAME_MAX says 255); the name is
   * echoed cut short. */
  char shown[TR_ECHO_SIZE];
  if (spec->hostname && strlen (spec->hostname) > UTS_NAME_MAX)
    return tr_error_plain (err, EINVAL, "hostname: \"%s\" is longer than %d bytes", tr_echo (spec->hostname, shown),
                           UTS_NAME_MAX);
  if (spec->domainname && strlen (spec->domainname) > UTS_NAME_MAX)
    return tr_error_plain (err, EINVAL, "domainname: \"%s\" is longer than %d bytes",
                           tr_echo (spec->domainname, shown), UTS_NAME_MAX);
  return 0;
}

/* runc's rules (libcontainer/configs/validate: checkIDMapMounts): bind
 * mounts only, both maps or neither, no rootless runtime, and without maps
 * the container's user namespace, which must exist. */
static int
validate_idmap_mount (const struct spec *spec, const struct spec_mount *m, size_t i, tr_error_t *err)
{
  struct mount_options mo;
  if (mount_options_parse (m->options.v, m->options.n, &mo, NULL) < 0 || !idmap_mount_wanted (m, &mo))
    return 0; /* a bad option is reported by the init, naming the entry */
  if ((m->uid_mappings.n > 0) != (m->gid_mappings.n > 0))
    return tr_error_plain (err, EINVAL, "mounts[%zu].%s: required with %s", i,
                           m->uid_mappings.n ? "gidMappings" : "uidMappings",
                           m->uid_mappings.n ? "uidMappings" : "gidMappings");
  if (!(mo.flags & MS_BIND) && !(m->type && strcmp (m->type, "bind") == 0))
    return tr_error_plain (err, EINVAL, "mounts[%zu]: idmapped mounts are only supported for bind mounts", i);
  if (geteuid () != 0)
    return tr_error_plain (err, EPERM, "mounts[%zu]: idmapped mounts are not supported for rootless containers", i);
  if (m->uid_mappings.n == 0 && spec_find_namespace (spec, NS_USER) == NULL)
    return tr_error_plain (err, EINVAL, "mounts[%zu].uidMappings: idmap without mappings needs a user namespace", i);
  return 0;
}

static int
validate_mounts (const struct spec *spec, tr_error_t *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      if (validate_idmap_mount (spec, m, i, err) < 0)
        return -1;
      char shown[TR_ECHO_SIZE];
      if (m->destination[0] != '/')
        return tr_error_plain (err, EINVAL, "mounts[%zu].destination: \"%s\" must be an absolute path", i,
                               tr_echo (m->destination, shown));
    }
  return 0;
}

/* (uid_t) -1 means "leave unchanged" to setresuid(2) and friends: the
 * process would keep the runtime's root. */
int
process_user_validate (const struct spec_user *u, tr_error_t *err)
{
  const uint32_t none = UINT32_MAX;
  if (u->uid == none)
    return tr_error_plain (err, EINVAL, "process.user.uid: %u is not a valid id", none);
  if (u->gid == none)
    return tr_error_plain (err, EINVAL, "process.user.gid: %u is not a valid id", none);
  for (size_t i = 0; i < u->n_additional_gids; i++)
    if (u->additional_gids[i] == none)
      return tr_error_plain (err, EINVAL, "process.user.additionalGids[%zu]: %u is not a valid id", i, none);
  return 0;
}

static int
validate_process (const struct spec *spec, const struct create_options *o, tr_error_t *err)
{
  const struct spec_process *p = spec->process;
  /* The runtime spec requires process only for `start` (which refuses a
   * container without one); runc refuses it already at create. */
  if (p == NULL)
    return o->console_socket ? tr_error_plain (err, EINVAL, "--console-socket: the config has no process") : 0;
  if (p->terminal.v && o->console_socket == NULL && !o->keep_pty)
    return tr_error_plain (err, EINVAL, "process.terminal: a terminal needs --console-socket");
  if (!p->terminal.v && o->console_socket)
    return tr_error_plain (err, EINVAL, "--console-socket: only valid with process.terminal set to true");
  if (process_user_validate (&p->user, err) < 0)
    return -1;
  if (p->capabilities)
    caps_warn_unavailable (p->capabilities);
  if (process_attrs_validate (p, "process", err) < 0)
    return -1;
  return lsm_validate (p, spec->linux_ ? spec->linux_->mount_label : NULL, err);
}

/* Is path the runtime's own network namespace? */
static bool
is_host_netns (const char *path)
{
  struct stat a, b;
  return stat (path, &a) == 0 && stat ("/proc/self/ns/net", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* linux.netDevices, as runc validates it: a network namespace of the
 * container's own, not rootless, names the kernel accepts, no name given
 * twice, and (tinyrun) every device present on the host. */
static int
validate_net_devices (const struct spec *spec, tr_error_t *err)
{
  const kvlist *d = &spec->linux_->net_devices;
  if (d->n == 0)
    return 0;
  const struct spec_namespace *net = spec_find_namespace (spec, NS_NETWORK);
  if (net == NULL)
    return tr_error_plain (err, EINVAL, "linux.netDevices: moving network devices needs a network namespace");
  if (net->path && is_host_netns (net->path))
    return tr_error_plain (err, EINVAL, "linux.netDevices: the network namespace %s is the host's", net->path);
  if (geteuid () != 0)
    return tr_error_plain (err, EPERM, "linux.netDevices: not supported for rootless containers");
  char shown[TR_ECHO_SIZE];
  for (size_t i = 0; i < d->n; i++)
    {
      if (!netdev_name_valid (d->v[i].key))
        return tr_error_plain (err, EINVAL, "linux.netDevices: \"%s\" is not a valid network device name",
                               tr_echo (d->v[i].key, shown));
      if (!netdev_name_valid (d->v[i].value))
        return tr_error_plain (err, EINVAL, "linux.netDevices.%s.name: \"%s\" is not a valid network device name",
                               d->v[i].key, tr_echo (d->v[i].value, shown));
      for (size_t j = 0; j < i; j++)
        if (strcmp (d->v[j].key, d->v[i].key) == 0 || strcmp (d->v[j].value, d->v[i].value) == 0)
          return tr_error_plain (err, EINVAL, "linux.netDevices.%s: %s is also the name of %s in the container",
                                 d->v[i].key, d->v[i].value, d->v[j].key);
    }
  return netdev_check_present (d, err);
}

static int
validate_linux (const struct spec *spec, tr_error_t *err)
{
  const struct spec_linux *l = spec->linux_;
  if (l == NULL)
    return tr_error_plain (err, EINVAL, "linux: required on Linux");
  if (l->seccomp && seccomp_config_validate (l->seccomp, err) < 0)
    return -1;
  if (rdt_validate (l->intel_rdt, err) < 0)
    return -1;
  if (personality_validate (l->personality, err) < 0 || validate_net_devices (spec, err) < 0)
    return -1;
  return sysctl_validate (spec, err);
}

/* The runtime spec is semantic-versioned: tinyrun reads any 1.x.y. */
static int
validate_version (const struct spec *spec, tr_error_t *err)
{
  const char *v = spec->oci_version;
  unsigned major, minor, patch;
  int end = 0;
  if (sscanf (v, "%u.%u.%u%n", &major, &minor, &patch, &end) != 3 || (v[end] != '\0' && v[end] != '-' && v[end] != '+')
      || major != 1)
    return tr_error_plain (err, EINVAL, "ociVersion: \"%s\" is not a supported version (1.x.y)", v);
  return 0;
}

int
container_validate (const struct spec *spec, const struct create_options *o, tr_error_t *err)
{
  if (validate_version (spec, err) < 0 || validate_linux (spec, err) < 0 || validate_namespaces (spec, err) < 0 || validate_mounts (spec, err) < 0
      || validate_process (spec, o, err) < 0)
    return tr_error_wrap (err, "config.json");
  return 0;
}
