#include "config.h"
#include "net/up.h"
#include "net/bridge.h"
#include "net/dns.h"
#include "net/ipam.h"
#include "net/nat.h"
#include "net/netlink.h"
#include "oci-spec/spec.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What `up` works with. */
struct up
{
  struct options *o;
  const struct container_state *c;
  char netns_path[64];
  char host_veth[16];
  char peer[16];
  int netns;
  struct nl *host;
  struct ipam *ipam;
  struct ip_addr a4, a6;
};

/* Interface names are at most 15 bytes (IFNAMSIZ - 1).  The host's veth
 * is "trv" followed by the container's netns inode, unique among live
 * namespaces, and a counter when a stale link already has that name; the
 * matching "trp" name (the container's end before it was made directly
 * in the container's namespace) is kept free as well. */
static void
veth_format (uint32_t ino, unsigned n, char host[16], char peer[16])
{
  if (n == 0)
    {
      snprintf (host, 16, "trv%08x", ino);
      snprintf (peer, 16, "trp%08x", ino);
      return;
    }
  snprintf (host, 16, "trv%08x%x", ino, n & 0xfff);
  snprintf (peer, 16, "trp%08x%x", ino, n & 0xfff);
}

/* Pick names no link has and no other container of the bridge has
 * claimed, and claim the host side for the id (under the IPAM lock), so
 * that `down` finds it again without deriving it. */
static int
claim_veth_names (struct up *u, tr_error_t *err)
{
  struct stat st;
  if (fstat (u->netns, &st) < 0)
    return tr_error (err, errno, "stat the container's network namespace");
  for (unsigned n = 0; n < 0x1000; n++)
    {
      veth_format ((uint32_t) st.st_ino, n, u->host_veth, u->peer);
      char key[32];
      snprintf (key, sizeof key, VETH_KEY_PREFIX "%s", u->host_veth);
      cleanup_free char *owner = ipam_get (u->ipam, key);
      if (owner == NULL && nl_link_index (u->host, u->host_veth) == 0 && nl_link_index (u->host, u->peer) == 0)
        return ipam_put (u->ipam, key, u->c->id, err);
    }
  return tr_error_plain (err, EEXIST, "no free veth name for netns inode %lu", (unsigned long) st.st_ino);
}

static int
claim_ports (struct up *u, tr_error_t *err)
{
  for (size_t i = 0; i < u->o->n_ports; i++)
    {
      const struct port *p = &u->o->ports[i];
      char key[32];
      snprintf (key, sizeof key, PORT_KEY_PREFIX "%s-%u", port_proto_name (p->proto), p->host);
      cleanup_free char *where = NULL;
      cleanup_free char *owner = ipam_elsewhere (u->o->bridge, key, NULL, NULL, &where);
      if (owner == NULL && ipam_claim (u->ipam, key, u->c->id, &owner, err) < 0 && owner == NULL)
        return -1;
      if (owner)
        return tr_error_plain (err, EADDRINUSE, "--publish: host port %u/%s is already published by container %s%s%s",
                               p->host, port_proto_name (p->proto), owner, where ? " on bridge " : "",
                               where ? where : "");
    }
  return 0;
}

/* Inside the container's namespace (where its end of the veth was made
 * with its final name): addresses, up, routes. */
static int
configure_inside (const struct up *u, tr_error_t *err)
{
  const struct options *o = u->o;
  struct nl *nl = nl_open (err);
  if (nl == NULL)
    return -1;
  struct ip_addr gw4 = subnet_at (&o->s4, 1), gw6 = subnet_at (&o->s6, 1);
  int ret = -1;
  if (nl_addr_add (nl, o->ifname, &u->a4, o->s4.prefix, err) == 0
      && (u->a6.family == 0 || nl_addr_add (nl, o->ifname, &u->a6, o->s6.prefix, err) == 0)
      && nl_link_up (nl, "lo", err) == 0 && nl_link_up (nl, o->ifname, err) == 0
      && nl_route_add_default (nl, o->ifname, &gw4, err) == 0
      && (u->a6.family == 0 || nl_route_add_default (nl, o->ifname, &gw6, err) == 0))
    ret = 0;
  nl_close (nl);
  return ret;
}

/* Into the container's network namespace for its side, and back.  *back
 * turns false when the return to the host's namespace failed: nothing can
 * be undone from there. */
static int
configure_in_netns (const struct up *u, bool *back, tr_error_t *err)
{
  *back = true;
  cleanup_close int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0 || setns (u->netns, CLONE_NEWNET) < 0)
    return tr_error (err, errno, "enter %s", u->netns_path);
  int inside = configure_inside (u, err);
  if (setns (self, CLONE_NEWNET) < 0)
    {
      *back = false;
      return tr_error (err, errno, "return to the host's network namespace");
    }
  return inside;
}

/* The rootfs as the runtime mounted it: root.path of the bundle's config. */
static char *
rootfs_of (const char *bundle)
{
  char path[PATH_MAX];
  if (bundle == NULL || snprintf (path, sizeof path, "%s/config.json", bundle) >= (int) sizeof path)
    return NULL;
  size_t len;
  cleanup_free char *text = read_file_at (AT_FDCWD, path, &len, NULL);
  cleanup_spec struct spec *spec = text ? spec_parse (text, len, NULL) : NULL;
  if (spec == NULL || spec->root == NULL || spec->root->path == NULL)
    return NULL;
  char *out = NULL;
  if (spec->root->path[0] == '/')
    return strdup (spec->root->path);
  if (asprintf (&out, "%s/%s", bundle, spec->root->path) < 0)
    return NULL;
  return out;
}

static int
setup_dns (struct up *u, tr_error_t *err)
{
  if (u->o->no_dns)
    return 0;
  const char *note = NULL;
  cleanup_free char *text = dns_resolv_conf (u->o->dns, u->o->n_dns, "/etc/resolv.conf", &note, err);
  if (text == NULL)
    return -1;
  if (note)
    fprintf (stderr, "tinyrun-net: %s: %s\n", u->c->id, note);
  char key[300], file[600];
  snprintf (key, sizeof key, RESOLV_KEY_PREFIX "%s", u->c->id);
  snprintf (file, sizeof file, "%s/%s", u->ipam->dir, key);
  if (write_file_atomic_at (u->ipam->dirfd, key, text, strlen (text), 0644, err) < 0)
    return -1;
  cleanup_free char *rootfs = rootfs_of (u->c->bundle);
  if (rootfs == NULL)
    {
      fprintf (stderr, "tinyrun-net: %s: no rootfs in the bundle's config.json: /etc/resolv.conf left alone\n",
               u->c->id);
      return 0;
    }
  if (dns_bind (u->c->pid, rootfs, file, &note, err) < 0)
    return -1;
  if (note && u->o->n_dns)
    fprintf (stderr, "tinyrun-net: %s: --dns not applied: %s\n", u->c->id, note);
  return 0;
}

static int
publish (struct up *u, tr_error_t *err)
{
  if (nat_publish (u->o->bridge, u->o->ports, u->o->n_ports, &u->a4, err) < 0)
    return -1;
  return u->a6.family ? nat_publish (u->o->bridge, u->o->ports, u->o->n_ports, &u->a6, err) : 0;
}

/* The host index of a veth named like the container's side that is in
 * the container's namespace already, when it is a leftover: its host end is
 * a "trv" link no record of the bridge claims (a pinned namespace reused
 * before the deletion `down` started has finished, link_reaper.c, or after
 * a crash).  0 when there is none or it is somebody else's. */
static int
stale_peer (const struct up *u)
{
  cleanup_close int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0 || setns (u->netns, CLONE_NEWNET) < 0)
    return 0;
  struct nl *inside = nl_open (NULL);
  int index = inside ? nl_link_peer_index (inside, u->o->ifname) : 0;
  nl_close (inside);
  char name[IF_NAMESIZE], key[32];
  if (setns (self, CLONE_NEWNET) < 0 || index <= 0 || if_indextoname ((unsigned) index, name) == NULL
      || strncmp (name, "trv", 3) != 0)
    return 0;
  snprintf (key, sizeof key, VETH_KEY_PREFIX "%s", name);
  cleanup_free char *owner = ipam_get (u->ipam, key);
  return owner ? 0 : index;
}

/* The pair, its peer made in the container's namespace, its host end on
 * the bridge; a leftover pair in the way is deleted (the one case `up`
 * waits for the kernel's grace period) and the pair made again. */
static int
add_veth (const struct up *u, tr_error_t *err)
{
  struct veth v = { .name = u->host_veth, .master = nl_link_index (u->host, u->o->bridge), .peer = u->o->ifname,
                    .peer_netns = u->netns };
  if (v.master == 0)
    return tr_error (err, ENODEV, "no bridge %s", u->o->bridge);
  tr_error_t first = NULL;
  if (nl_veth_add (u->host, &v, &first) == 0)
    return 0;
  int stale = first->status == EEXIST ? stale_peer (u) : 0;
  if (stale == 0 || nl_link_del_index (u->host, stale, NULL) < 0)
    {
      if (err)
        *err = steal_ptr (&first);
      tr_error_free (&first);
      return -1;
    }
  tr_error_ignore (&first, "a leftover veth of the container's namespace was deleted");
  return nl_veth_add (u->host, &v, err);
}

/* Bridge, addresses, ports, veth (its peer made in the container's
 * namespace, its host end on the bridge), the container's side, NAT and
 * DNS; a failure undoes it all (unless stranded in the container's
 * namespace). */
static int
up_with (struct up *u, tr_error_t *err)
{
  const struct options *o = u->o;
  bool back = true;
  if (bridge_ensure (u->host, u->ipam, o, err) == 0
      && ipam_allocate (u->ipam, &o->s4, u->c->id, &o->want4, &u->a4, err) == 0
      && (o->subnet6 == NULL || ipam_allocate (u->ipam, &o->s6, u->c->id, &o->want6, &u->a6, err) == 0)
      && claim_ports (u, err) == 0 && claim_veth_names (u, err) == 0
      && add_veth (u, err) == 0 && configure_in_netns (u, &back, err) == 0 && publish (u, err) == 0
      && setup_dns (u, err) == 0)
    return 0;
  if (back)
    bridge_release (u->host, u->ipam, o->bridge, u->c->id);
  return -1;
}

int
net_up (struct options *o, const struct container_state *c, tr_error_t *err)
{
  struct up u = { .o = o, .c = c };
  if (options_check (o, err) < 0)
    return -1;
  if (c->pid <= 0)
    return tr_error_plain (err, EINVAL, "container state: no pid");
  snprintf (u.netns_path, sizeof u.netns_path, "/proc/%d/ns/net", c->pid);
  cleanup_close int netns = open (u.netns_path, O_RDONLY | O_CLOEXEC);
  if (netns < 0)
    return tr_error (err, errno, "open %s", u.netns_path);
  u.netns = netns;

  struct ipam ipam = { .dirfd = -1 };
  int ret = -1;
  if (ipam_open (&ipam, o->bridge, err) == 0 && (u.host = nl_open (err)) != NULL)
    {
      u.ipam = &ipam;
      ret = up_with (&u, err);
    }
  nl_close (u.host);
  ipam_close (&ipam);
  return ret;
}
