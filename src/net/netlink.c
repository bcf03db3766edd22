#include "config.h"
#include "net/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct nl
{
  struct mnl_socket *sock;
  unsigned seq;
  char buf[8192]; /* MNL_SOCKET_BUFFER_SIZE, which is not a constant */
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
  nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl->sock == NULL || mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      tr_error (err, errno, "open a netlink socket");
      nl_close (nl);
      return NULL;
    }
  nl->seq = (unsigned) time (NULL);
  return nl;
}

void
nl_close (struct nl *nl)
{
  if (nl == NULL)
    return;
  if (nl->sock)
    mnl_socket_close (nl->sock);
  free (nl);
}

int
nl_link_index (struct nl *nl, const char *name)
{
  (void) nl; /* if_nametoindex asks the calling thread's namespace, like nl */
  return (int) if_nametoindex (name);
}

static struct nlmsghdr *
start (struct nl *nl, int type, unsigned flags)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (nl->buf);
  nlh->nlmsg_type = (uint16_t) type;
  nlh->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | NLM_F_ACK | flags);
  nlh->nlmsg_seq = ++nl->seq;
  return nlh;
}

/* Send and wait for the kernel's acknowledgement; errno on failure. */
static int
transact (struct nl *nl, struct nlmsghdr *nlh)
{
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -1;
  unsigned portid = mnl_socket_get_portid (nl->sock);
  ssize_t n = mnl_socket_recvfrom (nl->sock, nl->buf, sizeof nl->buf);
  if (n < 0)
    return -1;
  return mnl_cb_run (nl->buf, (size_t) n, nl->seq, portid, NULL, NULL) < 0 ? -1 : 0;
}

static struct ifinfomsg *
link_header (struct nlmsghdr *nlh, int index)
{
  struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  return ifi;
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
  struct nlmsghdr *nlh = start (nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  link_header (nlh, 0);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  struct nlattr *info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end (nlh, info);
  if (transact (nl, nlh) < 0)
    return tr_error (err, errno, "create bridge %s", name);
  return 0;
}

int
nl_veth_add (struct nl *nl, const char *name, const char *peer, int peer_netns, tr_error_t *err)
{
  struct nlmsghdr *nlh = start (nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  link_header (nlh, 0);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  struct nlattr *info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  struct nlattr *data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  /* The peer is described by its own ifinfomsg and attributes. */
  struct nlattr *p = mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  struct ifinfomsg *pifi = mnl_nlmsg_put_extra_header (nlh, sizeof *pifi);
  memset (pifi, 0, sizeof *pifi);
  pifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, peer);
  if (peer_netns >= 0)
    mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t) peer_netns);
  mnl_attr_nest_end (nlh, p);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
  if (transact (nl, nlh) < 0)
    return tr_error (err, errno, "create veth pair %s/%s", name, peer);
  return 0;
}

int
nl_link_del_index (struct nl *nl, int index, tr_error_t *err)
{
  struct nlmsghdr *nlh = start (nl, RTM_DELLINK, 0);
  link_header (nlh, index);
  if (transact (nl, nlh) < 0)
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
  struct nlmsghdr *nlh = start (nl, RTM_NEWLINK, 0);
  struct ifinfomsg *ifi = link_header (nlh, index);
  ifi->ifi_change = IFF_UP;
  ifi->ifi_flags = IFF_UP;
  if (transact (nl, nlh) < 0)
    return tr_error (err, errno, "set link %s up", name);
  return 0;
}

int
nl_link_set_master (struct nl *nl, const char *name, const char *master, tr_error_t *err)
{
  int index = index_of (nl, name, err), mindex = index_of (nl, master, err);
  if (index < 0 || mindex < 0)
    return -1;
  struct nlmsghdr *nlh = start (nl, RTM_NEWLINK, 0);
  link_header (nlh, index);
  mnl_attr_put_u32 (nlh, IFLA_MASTER, (uint32_t) mindex);
  if (transact (nl, nlh) < 0)
    return tr_error (err, errno, "attach %s to bridge %s", name, master);
  return 0;
}

int
nl_link_set_netns (struct nl *nl, const char *name, int netns_fd, tr_error_t *err)
{
  int index = index_of (nl, name, err);
  if (index < 0)
    return -1;
  struct nlmsghdr *nlh = start (nl, RTM_NEWLINK, 0);
  link_header (nlh, index);
  mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t) netns_fd);
  if (transact (nl, nlh) < 0)
    return tr_error (err, errno, "move %s into the container's network namespace", name);
  return 0;
}

int
nl_link_rename (struct nl *nl, const char *name, const char *new_name, tr_error_t *err)
{
  int index = index_of (nl, name, err);
  if (index < 0)
    return -1;
  struct nlmsghdr *nlh = start (nl, RTM_NEWLINK, 0);
  link_header (nlh, index);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, new_name);
  if (transact (nl, nlh) < 0)
    return tr_error (err, errno, "rename %s to %s", name, new_name);
  return 0;
}

int
nl_addr_add (struct nl *nl, const char *name, const struct ip_addr *addr, int prefix, tr_error_t *err)
{
  int index = index_of (nl, name, err);
  if (index < 0)
    return -1;
  size_t len = addr->family == AF_INET ? 4 : 16;
  struct nlmsghdr *nlh = start (nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = (uint8_t) addr->family;
  ifa->ifa_prefixlen = (uint8_t) prefix;
  ifa->ifa_index = (uint32_t) index;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  /* No duplicate address detection: the subnet is ours, and DAD would
   * keep the address unusable for a second or two. */
  ifa->ifa_flags = addr->family == AF_INET6 ? IFA_F_NODAD : 0;
  mnl_attr_put (nlh, IFA_LOCAL, len, addr->b);
  mnl_attr_put (nlh, IFA_ADDRESS, len, addr->b);
  if (transact (nl, nlh) < 0)
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
  struct nlmsghdr *nlh = start (nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  rtm->rtm_family = (uint8_t) gateway->family;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put (nlh, RTA_GATEWAY, gateway->family == AF_INET ? 4 : 16, gateway->b);
  mnl_attr_put_u32 (nlh, RTA_OIF, (uint32_t) index);
  if (transact (nl, nlh) < 0)
    {
      char text[ADDR_TEXT];
      return tr_error (err, errno, "add default route via %s", addr_format (gateway, text));
    }
  return 0;
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
link_attr (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;
  int type = mnl_attr_get_type (attr);
  if (type == IFLA_LINK || type == IFLA_LINK_NETNSID)
    tb[type] = attr;
  return MNL_CB_OK;
}

struct peer
{
  int32_t index, nsid;
};

static int
link_peer_cb (const struct nlmsghdr *nlh, void *data)
{
  struct peer *p = data;
  const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
  mnl_attr_parse (nlh, sizeof (struct ifinfomsg), link_attr, tb);
  if (tb[IFLA_LINK])
    p->index = (int32_t) mnl_attr_get_u32 (tb[IFLA_LINK]);
  if (tb[IFLA_LINK_NETNSID])
    p->nsid = (int32_t) mnl_attr_get_u32 (tb[IFLA_LINK_NETNSID]);
  return MNL_CB_OK;
}

/* IFLA_LINK and IFLA_LINK_NETNSID of a link: for a veth its peer's index
 * and the id of the peer's namespace (absent: this one). */
static int
link_peer (struct nl *nl, int index, struct peer *p)
{
  struct nlmsghdr *nlh = start (nl, RTM_GETLINK, 0);
  nlh->nlmsg_flags = NLM_F_REQUEST;
  link_header (nlh, index);
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -1;
  ssize_t n = mnl_socket_recvfrom (nl->sock, nl->buf, sizeof nl->buf);
  if (n < 0)
    return -1;
  return mnl_cb_run (nl->buf, (size_t) n, nl->seq, mnl_socket_get_portid (nl->sock), link_peer_cb, p) < 0 ? -1 : 0;
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

static int
route_attr (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;
  int type = mnl_attr_get_type (attr);
  if (type == RTA_DST || type == RTA_OIF || type == RTA_TABLE)
    tb[type] = attr;
  return MNL_CB_OK;
}

static int
route_cb (const struct nlmsghdr *nlh, void *data)
{
  struct route_scan *scan = data;
  const struct rtmsg *rtm = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *tb[RTA_MAX + 1] = { 0 };
  mnl_attr_parse (nlh, sizeof *rtm, route_attr, tb);
  uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32 (tb[RTA_TABLE]) : rtm->rtm_table;
  if (scan->found_index || rtm->rtm_dst_len == 0 || tb[RTA_DST] == NULL || rtm->rtm_type != RTN_UNICAST
      || table != RT_TABLE_MAIN)
    return MNL_CB_OK;
  int oif = tb[RTA_OIF] ? (int) mnl_attr_get_u32 (tb[RTA_OIF]) : -1;
  if (oif == scan->skip_index)
    return MNL_CB_OK;
  struct subnet r = { .net = { .family = rtm->rtm_family }, .prefix = rtm->rtm_dst_len };
  memcpy (r.net.b, mnl_attr_get_payload (tb[RTA_DST]), rtm->rtm_family == AF_INET ? 4 : 16);
  if (subnet_overlaps (&r, scan->s))
    {
      scan->found = r;
      scan->found_index = oif;
    }
  return MNL_CB_OK;
}

int
nl_route_overlapping (struct nl *nl, const struct subnet *s, const char *skip, struct subnet *found, int *oif,
                      tr_error_t *err)
{
  struct nlmsghdr *nlh = start (nl, RTM_GETROUTE, NLM_F_DUMP);
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  rtm->rtm_family = (uint8_t) s->net.family;
  struct route_scan scan = { .s = s, .skip_index = skip ? nl_link_index (nl, skip) : 0 };
  if (scan.skip_index == 0)
    scan.skip_index = -2;
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return tr_error (err, errno, "list routes");
  unsigned seq = nl->seq, portid = mnl_socket_get_portid (nl->sock);
  int r;
  do
    {
      ssize_t n = mnl_socket_recvfrom (nl->sock, nl->buf, sizeof nl->buf);
      if (n < 0)
        return tr_error (err, errno, "list routes");
      r = mnl_cb_run (nl->buf, (size_t) n, seq, portid, route_cb, &scan);
    }
  while (r > 0);
  if (r < 0)
    return tr_error (err, errno, "list routes");
  if (scan.found_index == 0)
    return 0;
  *found = scan.found;
  *oif = scan.found_index;
  return 1;
}
