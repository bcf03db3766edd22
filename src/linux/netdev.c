#include "config.h"
#include "linux/netdev.h"
#include "linux/rtnl.h"
#include "util/cleanup.h"
#include "util/log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool
netdev_name_valid (const char *name)
{
  size_t len = strlen (name);
  if (len == 0 || len >= IFNAMSIZ || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return false;
  for (const char *c = name; *c; c++)
    if (*c == '/' || *c == ':' || isspace ((unsigned char) *c))
      return false;
  return true;
}

int
netdev_check_present (const kvlist *devices, tr_error_t *err)
{
  if (devices->n == 0)
    return 0;
  cleanup_rtnl struct rtnl nl = { .fd = -1 };
  if (rtnl_open (-1, &nl, err) < 0)
    return -1;
  for (size_t i = 0; i < devices->n; i++)
    {
      int index = rtnl_link_index (&nl, devices->v[i].key, err);
      if (index < 0)
        return -1;
      if (index == 0)
        return tr_error_plain (err, ENODEV, "linux.netDevices.%s: no such network device on the host",
                               devices->v[i].key);
    }
  return 0;
}

/* Kept: what a user gave the address; the kernel sets the rest again
 * (secondary, tentative...) in the new namespace. */
#define KEPT_FLAGS                                                                                                     \
  (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN | IFA_F_OPTIMISTIC)

/* The addresses the spec says travel with the device: permanent, of
 * global scope (RFC 3549 2.3.3.2), of any family. */
static size_t
keep_global (struct rtnl_addr *a, size_t n)
{
  size_t kept = 0;
  for (size_t i = 0; i < n; i++)
    if ((a[i].flags & IFA_F_PERMANENT) && a[i].ifa.ifa_scope == RT_SCOPE_UNIVERSE)
      {
        a[kept] = a[i];
        a[kept].flags &= KEPT_FLAGS;
        kept++;
      }
  return kept;
}

/* The device's index once in the container: by name, or (a "%d"
 * template, whose name the kernel chose) by the index it kept. */
static int
index_inside (struct rtnl *in, const char *host, const char *name, int old_index, tr_error_t *err)
{
  if (strchr (name, '%') == NULL)
    {
      int index = rtnl_link_index (in, name, err);
      if (index == 0)
        return tr_error_plain (err, ENODEV, "linux.netDevices.%s: %s is not in the container after the move", host,
                               name);
      return index;
    }
  char got[IFNAMSIZ];
  size_t prefix = (size_t) (strchr (name, '%') - name);
  if (rtnl_link_name (in, old_index, got, err) < 0 || strncmp (got, name, prefix) != 0)
    return tr_error_plain (err, ENODEV, "linux.netDevices.%s: cannot find %s in the container after the move", host,
                           name);
  log_debug ("netDevices: %s is %s in the container", host, got);
  return old_index;
}

static int
add_addresses (struct rtnl *in, const char *host, int index, const struct rtnl_addr *a, size_t n, tr_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (rtnl_addr_add (in, index, &a[i], err) < 0)
      return tr_error_wrap (err, "linux.netDevices.%s: in the container", host);
  return 0;
}

static int
move_one (struct rtnl *host, int netns_fd, const char *name, const char *new_name, tr_error_t *err)
{
  int index = rtnl_link_index (host, name, err);
  if (index < 0)
    return -1;
  if (index == 0)
    return tr_error_plain (err, ENODEV, "linux.netDevices.%s: no such network device on the host", name);
  struct rtnl_addr addrs[RTNL_MAX_ADDRS];
  size_t n = 0;
  /* Down first (runc): nothing on the host uses it while it changes. */
  if (rtnl_link_set_up (host, index, false, err) < 0 || rtnl_addr_list (host, index, addrs, &n, err) < 0)
    return tr_error_wrap (err, "linux.netDevices.%s", name);
  n = keep_global (addrs, n);
  if (rtnl_link_move (host, index, netns_fd, new_name, err) < 0)
    {
      if ((*err)->status != EEXIST)
        return tr_error_wrap (err, "linux.netDevices.%s", name);
      tr_error_free (err);
      return tr_error_plain (err, EEXIST, "linux.netDevices.%s: the container already has a network device named %s",
                             name, new_name);
    }
  cleanup_rtnl struct rtnl in = { .fd = -1 };
  if (rtnl_open (netns_fd, &in, err) < 0)
    return tr_error_wrap (err, "linux.netDevices.%s", name);
  int inside = index_inside (&in, name, new_name, index, err);
  if (inside < 0 || add_addresses (&in, name, inside, addrs, n, err) < 0)
    return -1;
  if (rtnl_link_set_up (&in, inside, true, err) < 0)
    return tr_error_wrap (err, "linux.netDevices.%s", name);
  log_debug ("netDevices: %s moved into the container as %s with %zu address(es)", name, new_name, n);
  return 0;
}

int
netdev_move_all (const kvlist *devices, pid_t pid, tr_error_t *err)
{
  if (devices->n == 0)
    return 0;
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
  cleanup_close int netns = open (path, O_RDONLY | O_CLOEXEC);
  if (netns < 0)
    return tr_error (err, errno, "linux.netDevices: open %s", path);
  cleanup_rtnl struct rtnl host = { .fd = -1 };
  if (rtnl_open (-1, &host, err) < 0)
    return tr_error_wrap (err, "linux.netDevices");
  /* A failure leaves the devices moved so far in the container's
   * namespace, which the rollback's kill takes down with them (runc). */
  for (size_t i = 0; i < devices->n; i++)
    if (move_one (&host, netns, devices->v[i].key, devices->v[i].value, err) < 0)
      return -1;
  return 0;
}
