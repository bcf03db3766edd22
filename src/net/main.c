/* tinyrun-net: the network hook of tinyrun.
 *
 *   createRuntime: tinyrun-net up   [--bridge NAME] [--subnet CIDR] [--ifname NAME]
 *   poststop:      tinyrun-net down [--bridge NAME]
 *
 * Reads the container state (id, pid) on stdin, as every OCI hook does.
 * `up` gives the container a veth whose other end sits on a bridge, an
 * address from the bridge's subnet, a default route through the bridge,
 * and NAT to the outside; `down` takes it all back, the bridge and the
 * NAT table with the bridge's last container. */
#include "config.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "net/ipam.h"
#include "net/nat.h"
#include "net/netlink.h"
#include "oci-spec/hook_state.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BRIDGE "tinyrun0"
#define DEFAULT_SUBNET "10.89.0.0/24"

struct options
{
  const char *bridge;
  const char *subnet;
  const char *ifname;
};

static int
read_state (struct container_state *c, tr_error_t *err)
{
  cleanup_free char *text = read_file_at (AT_FDCWD, "/dev/stdin", NULL, err);
  if (text == NULL)
    return tr_error_wrap (err, "read the container state on stdin");
  return hook_state_decode (text, strlen (text), c, err);
}

/* Interface names are at most 15 bytes (IFNAMSIZ - 1).  The host's veth
 * is "trv" and the container's (until renamed inside) "trp", both followed
 * by the container's netns inode, unique among live namespaces, and a
 * counter when a stale link already has that name. */
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

#define VETH_KEY_PREFIX "veth-"

/* Pick names no link has and no other container of the bridge has
 * claimed, and claim the host side for the id (under the IPAM lock), so
 * that `down` finds it again without deriving it. */
static int
claim_veth_names (struct nl *host, struct ipam *ipam, int netns, const char *id, char host_veth[16],
                  char peer[16], tr_error_t *err)
{
  struct stat st;
  if (fstat (netns, &st) < 0)
    return tr_error (err, errno, "stat the container's network namespace");
  for (unsigned n = 0; n < 0x1000; n++)
    {
      veth_format ((uint32_t) st.st_ino, n, host_veth, peer);
      char key[32];
      snprintf (key, sizeof key, VETH_KEY_PREFIX "%s", host_veth);
      cleanup_free char *owner = ipam_get (ipam, key);
      if (owner == NULL && nl_link_index (host, host_veth) == 0 && nl_link_index (host, peer) == 0)
        return ipam_put (ipam, key, id, err);
    }
  return tr_error_plain (err, EEXIST, "no free veth name for netns inode %lu", (unsigned long) st.st_ino);
}

static int
set_forwarding (struct ipam *ipam, tr_error_t *err)
{
  cleanup_free char *now = read_file_at (AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", NULL, err);
  if (now == NULL)
    return -1;
  if (now[0] == '1')
    return 0;
  if (ipam_put (ipam, "forwarding-was-off", "1", err) < 0)
    return -1;
  return write_file_at (AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", "1", err);
}

static int
ensure_bridge (struct nl *host, struct ipam *ipam, const struct options *o, const struct subnet *s, tr_error_t *err)
{
  if (nl_link_index (host, o->bridge) == 0)
    {
      if (nl_bridge_add (host, o->bridge, err) < 0 || nl_addr_add (host, o->bridge, subnet_gateway (s), s->prefix, err) < 0
          || nl_link_up (host, o->bridge, err) < 0)
        return -1;
      if (ipam_put (ipam, "subnet", o->subnet, err) < 0)
        return -1;
    }
  if (!nat_exists (o->bridge) && nat_add (o->bridge, s, err) < 0)
    return -1;
  return set_forwarding (ipam, err);
}

/* Inside the container's namespace: rename, address, up, route. */
static int
configure_inside (const struct options *o, const char *peer, struct in_addr addr, const struct subnet *s,
                  tr_error_t *err)
{
  struct nl *nl = nl_open (err);
  if (nl == NULL)
    return -1;
  int ret = -1;
  if (nl_link_rename (nl, peer, o->ifname, err) == 0 && nl_addr_add (nl, o->ifname, addr, s->prefix, err) == 0
      && nl_link_up (nl, "lo", err) == 0 && nl_link_up (nl, o->ifname, err) == 0
      && nl_route_add_default (nl, o->ifname, subnet_gateway (s), err) == 0)
    ret = 0;
  nl_close (nl);
  return ret;
}

/* Undo what a failed `up` made (the veth, the address, and the bridge
 * and NAT when nobody else uses them). */
static void
undo_up (struct nl *host, struct ipam *ipam, const struct options *o, const char *id, const char *host_veth)
{
  tr_error_t ignored = NULL;
  if (host_veth[0] && nl_link_index (host, host_veth))
    nl_link_del (host, host_veth, &ignored);
  tr_error_free (&ignored);
  ipam_release (ipam, id, &ignored);
  tr_error_free (&ignored);
  ipam_forget (ipam, VETH_KEY_PREFIX, id, &ignored);
  tr_error_free (&ignored);
  if (!ipam_in_use (ipam))
    {
      if (nl_link_index (host, o->bridge))
        nl_link_del (host, o->bridge, &ignored);
      tr_error_free (&ignored);
      nat_remove (o->bridge, &ignored);
      tr_error_free (&ignored);
      cleanup_free char *was_off = ipam_get (ipam, "forwarding-was-off");
      if (was_off)
        write_file_at (AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", "0", &ignored);
      tr_error_free (&ignored);
      ipam_remove (ipam);
    }
}

/* What `up` works with. */
struct up
{
  const struct options *o;
  const struct container_state *c;
  struct subnet s;
  char netns_path[64];
  char host_veth[16];
  char peer[16];
  int netns;
  struct nl *host;
  struct ipam *ipam;
};

/* Into the container's network namespace for its side, and back.  *back
 * turns false when the return to the host's namespace failed: nothing can
 * be undone from there. */
static int
configure_in_netns (const struct up *u, struct in_addr addr, bool *back, tr_error_t *err)
{
  *back = true;
  cleanup_close int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0 || setns (u->netns, CLONE_NEWNET) < 0)
    return tr_error (err, errno, "enter %s", u->netns_path);
  int inside = configure_inside (u->o, u->peer, addr, &u->s, err);
  if (setns (self, CLONE_NEWNET) < 0)
    {
      *back = false;
      return tr_error (err, errno, "return to the host's network namespace");
    }
  return inside;
}

/* Bridge, address, veth, then the container's side; a failure undoes it
 * all (unless stranded in the container's namespace). */
static int
up_with (struct up *u, tr_error_t *err)
{
  const struct options *o = u->o;
  struct in_addr addr;
  bool back = true;
  if (ensure_bridge (u->host, u->ipam, o, &u->s, err) == 0
      && ipam_allocate (u->ipam, &u->s, u->c->id, &addr, err) == 0
      && claim_veth_names (u->host, u->ipam, u->netns, u->c->id, u->host_veth, u->peer, err) == 0
      && nl_veth_add (u->host, u->host_veth, u->peer, err) == 0
      && nl_link_set_master (u->host, u->host_veth, o->bridge, err) == 0
      && nl_link_up (u->host, u->host_veth, err) == 0 && nl_link_set_netns (u->host, u->peer, u->netns, err) == 0
      && configure_in_netns (u, addr, &back, err) == 0)
    return 0;
  if (back)
    undo_up (u->host, u->ipam, o, u->c->id, u->host_veth);
  return -1;
}

static int
net_up (const struct options *o, const struct container_state *c, tr_error_t *err)
{
  struct up u = { .o = o, .c = c };
  if (subnet_parse (o->subnet, &u.s, err) < 0)
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

static int
net_down (const struct options *o, const struct container_state *c, tr_error_t *err)
{
  struct ipam ipam = { .dirfd = -1 };
  struct nl *host = NULL;
  int ret = -1;
  if (ipam_open (&ipam, o->bridge, err) == 0 && (host = nl_open (err)) != NULL)
    {
      /* The veth usually went with the container's namespace already. */
      char host_veth[16] = "";
      cleanup_free char *key = ipam_find (&ipam, VETH_KEY_PREFIX, c->id);
      if (key)
        snprintf (host_veth, sizeof host_veth, "%s", key + strlen (VETH_KEY_PREFIX));
      undo_up (host, &ipam, o, c->id, host_veth);
      ret = 0;
    }
  nl_close (host);
  ipam_close (&ipam);
  return ret;
}

/* An interface name the kernel takes (1 to 15 bytes, no '/', no
 * whitespace, not "." or ".."); strict: only [A-Za-z0-9_.-] as well, since
 * the bridge's name is part of nft commands and table names. */
static bool
valid_ifname (const char *name, bool strict)
{
  size_t len = strlen (name);
  if (len == 0 || len > 15 || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return false;
  for (const char *p = name; *p; p++)
    {
      unsigned char ch = (unsigned char) *p;
      if (ch == '/' || ch == ':' || isspace (ch) || ch < 0x20 || ch >= 0x7f)
        return false;
      if (strict && !isalnum (ch) && ch != '_' && ch != '.' && ch != '-')
        return false;
    }
  return true;
}

static bool
check_ifname (const char *flag, const char *name, bool strict)
{
  if (valid_ifname (name, strict))
    return true;
  fprintf (stderr, "tinyrun-net: %s: \"%s\" is not a valid interface name (1 to 15 bytes%s, not \".\" or \"..\")\n",
           flag, name, strict ? " of [A-Za-z0-9_.-]" : " without '/', ':' or whitespace");
  return false;
}

static int
usage (void)
{
  fprintf (stderr, "usage: tinyrun-net up|down [--bridge NAME] [--subnet CIDR] [--ifname NAME] < state.json\n");
  return 2;
}

int
main (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "bridge", required_argument, NULL, 'b' },
    { "subnet", required_argument, NULL, 's' },
    { "ifname", required_argument, NULL, 'i' },
    { NULL, 0, NULL, 0 },
  };
  struct options o = { .bridge = DEFAULT_BRIDGE, .subnet = DEFAULT_SUBNET, .ifname = "eth0" };
  signal (SIGPIPE, SIG_IGN);
  if (argc < 2)
    return usage ();
  const char *verb = argv[1];
  optind = 2;
  int ch;
  while ((ch = getopt_long (argc, argv, "", longopts, NULL)) != -1)
    {
      if (ch == 'b')
        o.bridge = optarg;
      else if (ch == 's')
        o.subnet = optarg;
      else if (ch == 'i')
        o.ifname = optarg;
      else
        return usage ();
    }
  if (!check_ifname ("--bridge", o.bridge, true) || !check_ifname ("--ifname", o.ifname, false))
    return 2;
  tr_error_t err = NULL;
  struct container_state c = { 0 };
  int ret;
  if (strcmp (verb, "up") == 0 || strcmp (verb, "down") == 0)
    {
      bool up = verb[0] == 'u';
      ret = read_state (&c, &err);
      if (ret == 0)
        ret = up ? net_up (&o, &c, &err) : net_down (&o, &c, &err);
    }
  else
    return usage ();
  if (ret < 0)
    {
      fprintf (stderr, "tinyrun-net: %s %s: %s\n", verb, c.id ? c.id : "?", err->msg);
      tr_error_free (&err);
    }
  container_state_clear (&c);
  return ret < 0 ? 1 : 0;
}
