#include "config.h"
#include "net/up.h"
#include "net/bridge.h"
#include "net/ipam.h"
#include "net/netlink.h"
#include "util/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
net_down (const struct options *o, const struct container_state *c, tr_error_t *err)
{
  struct ipam ipam = { .dirfd = -1 };
  int r = ipam_open_existing (&ipam, o->bridge, err);
  if (r != 0)
    return r < 0 ? -1 : 0; /* no directory: nothing of the bridge is left */
  struct nl *host = nl_open (err);
  if (host)
    bridge_release (host, &ipam, o->bridge, c->id);
  nl_close (host);
  ipam_close (&ipam);
  return host ? 0 : -1;
}

/* The ids the records of a bridge name. */
struct ids
{
  char *v[1024];
  size_t n;
};

static void
collect_id (const char *name, const char *value, void *data)
{
  struct ids *ids = data;
  struct ip_addr a;
  bool record = strncmp (name, VETH_KEY_PREFIX, strlen (VETH_KEY_PREFIX)) == 0
                || strncmp (name, PORT_KEY_PREFIX, strlen (PORT_KEY_PREFIX)) == 0
                || addr_parse (name, 0, "", &a, NULL) == 0;
  if (!record || ids->n == sizeof ids->v / sizeof ids->v[0])
    return;
  for (size_t i = 0; i < ids->n; i++)
    if (strcmp (ids->v[i], value) == 0)
      return;
  ids->v[ids->n] = strdup (value);
  if (ids->v[ids->n])
    ids->n++;
}

/* A container's namespace is gone when its veth is: the kernel deletes
 * the pair with the namespace of either end.  (An `up` in progress holds
 * the lock, so a veth not made yet is never seen here.) */
static bool
vanished (struct nl *host, struct ipam *ipam, const char *id)
{
  cleanup_free char *key = ipam_find (ipam, VETH_KEY_PREFIX, id);
  return key == NULL || nl_link_index (host, key + strlen (VETH_KEY_PREFIX)) == 0;
}

static int
gc_bridge (struct nl *host, const char *bridge, tr_error_t *err)
{
  struct ipam ipam = { .dirfd = -1 };
  int r = ipam_open_existing (&ipam, bridge, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  struct ids ids = { .n = 0 };
  ipam_each (&ipam, "", collect_id, &ids);
  for (size_t i = 0; i < ids.n; i++)
    {
      if (vanished (host, &ipam, ids.v[i]))
        {
          printf ("%s %s\n", bridge, ids.v[i]);
          bridge_release (host, &ipam, bridge, ids.v[i]);
        }
      free (ids.v[i]);
    }
  ipam_close (&ipam);
  return 0;
}

int
net_gc (const char *bridge, tr_error_t *err)
{
  struct nl *host = nl_open (err);
  if (host == NULL)
    return -1;
  int ret = 0;
  if (bridge)
    ret = gc_bridge (host, bridge, err);
  else
    {
      cleanup_dir DIR *d = opendir (IPAM_ROOT);
      struct dirent *de;
      while (ret == 0 && d && (de = readdir (d)) != NULL)
        if (de->d_name[0] != '.' && options_valid_bridge (de->d_name))
          ret = gc_bridge (host, de->d_name, err);
    }
  nl_close (host);
  return ret;
}
