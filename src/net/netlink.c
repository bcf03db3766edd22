#include "config.h"
#include "net/netlink.h"
#include "linux/nlmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct nl
{
  int fd;
  uint32_t seq;
};

struct nl *
nl_open (tr_error_t *err)
{
  struct nl *nl = calloc (1, sizeof *nl);
  if (nl == NULL)
    {
      tr_error (err, ENOMEM, "netlink");
      return NULL;
    }
  nl->fd = nlmsg_socket (NETLINK_ROUTE, err);
  if (nl->fd < 0)
    {
      free (nl);
      return NULL;
    }
  return nl;
}

void
nl_close (struct nl *nl)
{
  if (nl == NULL)
    return;
  close (nl->fd);
  free (nl);
}

int
nl_link_index (struct nl *nl, const char *name)
{
  (void) nl; /* if_nametoindex asks the calling thread's namespace, like nl */
  return (int) if_nametoindex (name);
}

/* A request that wants the kernel's acknowledgement. */
static void
start (struct nl *nl, struct nlmsg_req *r, int type, int flags, const void *header, size_t len)
{
  nlmsg_start (r, ++nl->seq, type, NLM_F_ACK | flags, header, len);
}

/* Send and wait for the kernel's acknowledgement; errno on failure. */
static int
transact (struct nl *nl, struct nlmsg_req *r)
{
  return nlmsg_transact (nl->fd, r, NULL, NULL);
}

/* A request about a link (index 0: a new one). */
static void
link_start (struct nl *nl, struct nlmsg_req *r, int type, int flags, int index)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
  start (nl, r, type, flags, &ifi, sizeof ifi);
}

/* Look a link up, as an error naming it when it is missing. */
static int
index_of (struct nl *nl, const char *name, tr_error_t *err)
{
  int index = nl_link_index (nl, name);
  if (index == 0)
    return tr_error (err, ENODEV, "no link %s", name);
  return index;
}

int
nl_bridge_add (struct nl *nl, const char *name, tr_error_t *err)
{
  struct nlmsg_req r;
  link_start (nl, &r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  nlmsg_put_str (&r, IFLA_IFNAME, name);
  size_t info = nlmsg_nest_start (&r, IFLA_LINKINFO);
  nlmsg_put_str (&r, IFLA_INFO_KIND, "bridge");
  nlmsg_nest_end (&r, info);
  if (transact (nl, &r) < 0)
    return tr_error (err, errno, "create bridge %s", name);
  return 0;
}

int
nl_veth_add (struct nl *nl, const struct veth *v, tr_error_t *err)
{
  struct nlmsg_req r;
  /* This end up from the start: no request of its own for that.  (Not
   * the peer: the kernel configures it before the two know each other, and
   * a veth without its peer refuses to go up, ENOTCONN.) */
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
  start (nl, &r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  nlmsg_put_str (&r, IFLA_IFNAME, v->name);
  if (v->master)
    nlmsg_put_u32 (&r, IFLA_MASTER, (uint32_t) v->master);
  size_t info = nlmsg_nest_start (&r, IFLA_LINKINFO);
  nlmsg_put_str (&r, IFLA_INFO_KIND, "veth");
  size_t data = nlmsg_nest_start (&r, IFLA_INFO_DATA);
  /* The peer is described by its own ifinfomsg and attributes. */
  size_t p = nlmsg_nest_start (&r, VETH_INFO_PEER);
  nlmsg_put_raw (&r, &pifi, sizeof pifi);
  nlmsg_put_str (&r, IFLA_IFNAME, v->peer);
  if (v->peer_netns >= 0)
    nlmsg_put_u32 (&r, IFLA_NET_NS_FD, (uint32_t) v->peer_netns);
  nlmsg_nest_end (&r, p);
  nlmsg_nest_end (&r, data);
  nlmsg_nest_end (&r, info);
  if (transact (nl, &r) < 0)
    return tr_error (err, errno, "create veth pair %s/%s", v->name, v->peer);
  return 0;
}

int
nl_link_del_index (struct nl *nl, int index, tr_error_t *err)
{
  struct nlmsg_req r;
  link_start (nl, &r, RTM_DELLINK, 0, index);
  if (transact (nl, &r) < 0)
    return tr_error (err, errno, "delete link %d", index);
  return 0;
}

int
nl_link_del (struct nl *nl, const char *name, tr_error_t *err)
{
  int index = index_of (nl, name, err);
  if (index < 0)
    return -1;
  if (nl_link_del_index (nl, index, NULL) < 0)
    return tr_error (err, errno, "delete link %s", name);
  return 0;
}

int
nl_link_up (struct nl *nl, const char *name, tr_error_t *err)
{
  int index = index_of (nl, name, err);
  if (index < 0)
    return -1;
  struct nlmsg_req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_change = IFF_UP, .ifi_flags = IFF_UP };
  start (nl, &r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
  if (transact (nl, &r) < 0)
    return tr_error (err, errno, "set link %s up", name);
  return 0;
}

int
nl_addr_add (struct nl *nl, const char *name, const struct ip_addr *addr, int prefix, tr_error_t *err)
{
  int index = index_of (nl, name, err);
  if (index < 0)
    return -1;
  size_t len = addr->family == AF_INET ? 4 : 16;
  /* No duplicate address detection: the subnet is ours, and DAD would
   * keep the address unusable for a second or two. */
  struct ifaddrmsg ifa = { .ifa_family = (uint8_t) addr->family, .ifa_prefixlen = (uint8_t) prefix,
                           .ifa_index = (uint32_t) index, .ifa_scope = RT_SCOPE_UNIVERSE,
                           .ifa_flags = addr->family == AF_INET6 ? IFA_F_NODAD : 0 };
  struct nlmsg_req r;
  start (nl, &r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
  nlmsg_put (&r, IFA_LOCAL, addr->b, len);
  nlmsg_put (&r, IFA_ADDRESS, addr->b, len);
  if (transact (nl, &r) < 0)
    {
      char text[ADDR_TEXT];
      return tr_error (err, errno, "add address %s/%d to %s", addr_format (addr, text), prefix, name);
    }
  return 0;
}

int
nl_route_add_default (struct nl *nl, const char *name, const struct ip_addr *gateway, tr_error_t *err)
{
  int index = index_of (nl, name, err);
  if (index < 0)
    return -1;
  struct rtmsg rtm = { .rtm_family = (uint8_t) gateway->family, .rtm_table = RT_TABLE_MAIN,
                       .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };
  struct nlmsg_req r;
  start (nl, &r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof rtm);
  nlmsg_put (&r, RTA_GATEWAY, gateway->b, gateway->family == AF_INET ? 4 : 16);
  nlmsg_put_u32 (&r, RTA_OIF, (uint32_t) index);
  if (transact (nl, &r) < 0)
    {
      char text[ADDR_TEXT];
      return tr_error (err, errno, "add default route via %s", addr_format (gateway, text));
    }
  return 0;
}

struct peer
{
  int32_t index, nsid;
};

static int
link_peer_cb (const struct nlmsghdr *m, void *data)
{
  struct peer *p = data;
  const struct rtattr *tb[IFLA_MAX + 1];
  if (m->nlmsg_type != RTM_NEWLINK)
    return 0;
  nlmsg_attrs (m, sizeof (struct ifinfomsg), tb, IFLA_MAX);
  if (tb[IFLA_LINK])
    p->index = (int32_t) nlmsg_attr_u32 (tb[IFLA_LINK]);
  if (tb[IFLA_LINK_NETNSID])
    p->nsid = (int32_t) nlmsg_attr_u32 (tb[IFLA_LINK_NETNSID]);
  return 0;
}

/* IFLA_LINK and IFLA_LINK_NETNSID of a link: for a veth its peer's index
 * and the id of the peer's namespace (absent: this one). */
static int
link_peer (struct nl *nl, int index, struct peer *p)
{
  struct nlmsg_req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
  nlmsg_start (&r, ++nl->seq, RTM_GETLINK, 0, &ifi, sizeof ifi);
  return nlmsg_transact (nl->fd, &r, link_peer_cb, p);
}

/* For a namespace whose last reference is gone (cleanup_net has unhashed
 * its ids; the devices are deleted a grace period later) the kernel can
 * assign no id and reports NETNSA_NSID_NOT_ASSIGNED (-1).  Deleting the
 * veth ourselves then would only repeat what the kernel does anyway.  A
 * failure to ask counts as alive: the caller deletes. */
bool
nl_link_peer_dying (struct nl *nl, int index)
{
  struct peer p = { .index = 0, .nsid = 0 };
  return link_peer (nl, index, &p) == 0 && p.nsid == -1;
}

int
nl_link_peer_index (struct nl *nl, const char *name)
{
  struct peer p = { .index = 0, .nsid = -2 };
  int index = nl_link_index (nl, name);
  if (index == 0 || link_peer (nl, index, &p) < 0 || p.nsid == -2)
    return 0; /* not a link to another namespace */
  return p.index;
}

/* What the route dump looks for. */
struct route_scan
{
  const struct subnet *s;
  int skip_index;
  struct subnet found;
  int found_index;
};

static int
route_cb (const struct nlmsghdr *m, void *data)
{
  struct route_scan *scan = data;
  const struct rtmsg *rtm = NLMSG_DATA (m);
  const struct rtattr *tb[RTA_MAX + 1];
  if (m->nlmsg_type != RTM_NEWROUTE || m->nlmsg_len < NLMSG_LENGTH (sizeof *rtm))
    return 0;
  nlmsg_attrs (m, sizeof *rtm, tb, RTA_MAX);
  uint32_t table = tb[RTA_TABLE] ? nlmsg_attr_u32 (tb[RTA_TABLE]) : rtm->rtm_table;
  size_t len = rtm->rtm_family == AF_INET ? 4 : 16;
  if (scan->found_index || rtm->rtm_dst_len == 0 || tb[RTA_DST] == NULL || RTA_PAYLOAD (tb[RTA_DST]) < len
      || rtm->rtm_type != RTN_UNICAST || table != RT_TABLE_MAIN)
    return 0;
  int oif = tb[RTA_OIF] ? (int) nlmsg_attr_u32 (tb[RTA_OIF]) : -1;
  if (oif == scan->skip_index)
    return 0;
  struct subnet r = { .net = { .family = rtm->rtm_family }, .prefix = rtm->rtm_dst_len };
  memcpy (r.net.b, RTA_DATA (tb[RTA_DST]), len);
  if (subnet_overlaps (&r, scan->s))
    {
      scan->found = r;
      scan->found_index = oif;
    }
  return 0;
}

int
nl_route_overlapping (struct nl *nl, const struct subnet *s, const char *skip, struct subnet *found, int *oif,
                      tr_error_t *err)
{
  struct rtmsg rtm = { .rtm_family = (uint8_t) s->net.family };
  struct nlmsg_req r;
  nlmsg_start (&r, ++nl->seq, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof rtm);
  struct route_scan scan = { .s = s, .skip_index = skip ? nl_link_index (nl, skip) : 0 };
  if (scan.skip_index == 0)
    scan.skip_index = -2;
  if (nlmsg_transact (nl->fd, &r, route_cb, &scan) < 0)
    return tr_error (err, errno, "list routes");
  if (scan.found_index == 0)
    return 0;
  *found = scan.found;
  *oif = scan.found_index;
  return 1;
}
