#include "config.h"
#include "net/bridge.h"
#include "net/link_reaper.h"
#include "net/nat.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct family
{
  int af;
  const char *subnet_key, *nat_key, *forwarding, *was_off_key;
};

static const struct family families[] = {
  { AF_INET, "subnet", "nat4", "/proc/sys/net/ipv4/ip_forward", "forwarding-was-off" },
  { AF_INET6, "subnet6", "nat6", "/proc/sys/net/ipv6/conf/all/forwarding", "forwarding6-was-off" },
};

static int
set_forwarding (struct ipam *ipam, const struct family *f, tr_error_t *err)
{
  cleanup_free char *now = read_file_at (AT_FDCWD, f->forwarding, NULL, err);
  if (now == NULL)
    return -1;
  if (now[0] == '1')
    return 0;
  if (ipam_put (ipam, f->was_off_key, "1", err) < 0)
    return -1;
  return write_file_at (AT_FDCWD, f->forwarding, "1", err);
}

struct overlap
{
  const struct subnet *s;
  int af;
};

/* Does a bridge's subnet record overlap the one asked for? */
static bool
subnet_overlapping (const char *text, void *data)
{
  const struct overlap *o = data;
  struct subnet other;
  return subnet_parse (text, o->af, "", &other, NULL) == 0 && subnet_overlaps (o->s, &other);
}

/* The subnet must not overlap another tinyrun-net bridge's, nor a route
 * of the host's (other than through this bridge). */
static int
check_overlap (struct nl *host, const char *bridge, const struct family *f, const struct subnet *s, tr_error_t *err)
{
  char mine[ADDR_TEXT + 4], theirs[ADDR_TEXT + 4];
  subnet_format (s, mine);
  struct overlap o = { .s = s, .af = f->af };
  cleanup_free char *where = NULL;
  cleanup_free char *text = ipam_elsewhere (bridge, f->subnet_key, subnet_overlapping, &o, &where);
  if (text)
    return tr_error_plain (err, EADDRINUSE, "%s: %s overlaps %s of tinyrun-net bridge %s",
                           f->af == AF_INET ? "--subnet" : "--subnet6", mine, text, where ? where : "?");
  struct subnet route;
  int oif;
  int r = nl_route_overlapping (host, s, bridge, &route, &oif, err);
  if (r <= 0)
    return r;
  char ifname[IF_NAMESIZE] = "?";
  if (oif <= 0 || if_indextoname ((unsigned) oif, ifname) == NULL)
    snprintf (ifname, sizeof ifname, "?");
  return tr_error_plain (err, EADDRINUSE, "%s: %s overlaps the host's route to %s (dev %s)",
                         f->af == AF_INET ? "--subnet" : "--subnet6", mine, subnet_format (&route, theirs), ifname);
}

/* One family on the bridge: address, NAT table and forwarding, the first
 * time; a different subnet than the bridge has is refused. */
static int
ensure_family (struct nl *host, struct ipam *ipam, const char *bridge, const struct family *f,
               const struct subnet *s, tr_error_t *err)
{
  char want[ADDR_TEXT + 4];
  subnet_format (s, want);
  cleanup_free char *have = ipam_get (ipam, f->subnet_key);
  if (have && strcmp (have, want) != 0)
    return tr_error_plain (err, EINVAL, "%s: bridge %s has the subnet %s, not %s",
                           f->af == AF_INET ? "--subnet" : "--subnet6", bridge, have, want);
  if (have == NULL)
    {
      struct ip_addr gw = subnet_at (s, 1);
      if (check_overlap (host, bridge, f, s, err) < 0 || ipam_put (ipam, f->subnet_key, want, err) < 0
          || nl_addr_add (host, bridge, &gw, s->prefix, err) < 0)
        return -1;
    }
  cleanup_free char *nat = ipam_get (ipam, f->nat_key);
  if (nat == NULL && (nat_setup (bridge, s, err) < 0 || ipam_put (ipam, f->nat_key, "1", err) < 0))
    return -1;
  return set_forwarding (ipam, f, err);
}

int
bridge_ensure (struct nl *host, struct ipam *ipam, const struct options *o, tr_error_t *err)
{
  if (nl_link_index (host, o->bridge) == 0)
    {
      /* Records without their bridge (removed by hand): start afresh. */
      for (size_t i = 0; i < 2; i++)
        {
          ipam_del (ipam, families[i].subnet_key, NULL);
          ipam_del (ipam, families[i].nat_key, NULL);
        }
      char path[128];
      snprintf (path, sizeof path, "/proc/sys/net/ipv4/conf/%s/route_localnet", o->bridge);
      /* route_localnet: connections to 127.0.0.1 that the output chain
       * DNATs to a container leave through the bridge. */
      if (nl_bridge_add (host, o->bridge, err) < 0 || nl_link_up (host, o->bridge, err) < 0
          || write_file_at (AT_FDCWD, path, "1", err) < 0)
        return -1;
    }
  if (ensure_family (host, ipam, o->bridge, &families[0], &o->s4, err) < 0)
    return -1;
  return o->subnet6 ? ensure_family (host, ipam, o->bridge, &families[1], &o->s6, err) : 0;
}

/* The host's forwarding as it was, unless another bridge still needs it:
 * then that bridge restores it with its own last container. */
static void
restore_forwarding (struct ipam *ipam, const char *bridge, const struct family *f)
{
  cleanup_free char *was_off = ipam_get (ipam, f->was_off_key);
  if (was_off == NULL)
    return;
  cleanup_dir DIR *d = opendir (IPAM_ROOT);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && strcmp (de->d_name, bridge) != 0)
      {
        char path[512];
        snprintf (path, sizeof path, IPAM_ROOT "/%s/%s", de->d_name, f->was_off_key);
        if (write_file_at (AT_FDCWD, path, "1", NULL) == 0)
          return;
      }
  write_file_at (AT_FDCWD, f->forwarding, "0", NULL);
}

static void
teardown (struct nl *host, struct ipam *ipam, const char *bridge)
{
  if (nl_link_index (host, bridge))
    nl_link_del (host, bridge, NULL);
  for (size_t i = 0; i < 2; i++)
    {
      nat_remove (bridge, families[i].af, NULL);
      restore_forwarding (ipam, bridge, &families[i]);
    }
  ipam_remove (ipam);
}

/* The ports an id published, from its records. */
struct ports_of
{
  const char *id;
  struct port ports[MAX_PORTS];
  size_t n;
};

static void
collect_port (const char *name, const char *value, void *data)
{
  struct ports_of *p = data;
  char proto[8];
  unsigned n;
  if (strcmp (value, p->id) != 0 || p->n == MAX_PORTS
      || sscanf (name, PORT_KEY_PREFIX "%7[a-z]-%u", proto, &n) != 2 || n == 0 || n > 65535)
    return;
  p->ports[p->n++] = (struct port){ .proto = strcmp (proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP,
                                    .host = (uint16_t) n };
}

void
bridge_release (struct nl *host, struct ipam *ipam, const char *bridge, const char *id)
{
  cleanup_free char *veth = ipam_find (ipam, VETH_KEY_PREFIX, id);
  const char *veth_name = veth ? veth + strlen (VETH_KEY_PREFIX) : NULL;
  /* The veth usually went with the container's namespace already, or is
   * going with it (the kernel deletes the pair when it destroys either
   * namespace); else it is deleted without waiting for the kernel. */
  int index = veth_name ? nl_link_index (host, veth_name) : 0;
  if (index && !nl_link_peer_dying (host, index))
    link_reap_detached (index);
  ipam_forget (ipam, VETH_KEY_PREFIX, id, NULL);
  struct ports_of p = { .id = id };
  ipam_each (ipam, PORT_KEY_PREFIX, collect_port, &p);
  ipam_release (ipam, id, NULL);
  char resolv[300];
  snprintf (resolv, sizeof resolv, RESOLV_KEY_PREFIX "%s", id);
  ipam_del (ipam, resolv, NULL);
  if (!ipam_in_use (ipam))
    {
      teardown (host, ipam, bridge);
      return;
    }
  for (size_t i = 0; i < 2 && p.n; i++)
    {
      cleanup_free char *nat = ipam_get (ipam, families[i].nat_key);
      if (nat)
        nat_unpublish (bridge, families[i].af, p.ports, p.n, NULL);
    }
  ipam_forget (ipam, PORT_KEY_PREFIX, id, NULL);
}
