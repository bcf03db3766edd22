#include "config.h"
#include "linux/rtnl.h"
#include "linux/nlmsg.h"
#include "util/cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
rtnl_open (int netns_fd, struct rtnl *nl, tr_error_t *err)
{
  nl->fd = -1;
  nl->seq = 0;
  if (netns_fd < 0)
    {
      nl->fd = nlmsg_socket (NETLINK_ROUTE, err);
      return nl->fd < 0 ? -1 : 0;
    }
  /* Only this thread changes namespace, and only for the socket(2). */
  cleanup_close int ours = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (ours < 0)
    return tr_error (err, errno, "open /proc/thread-self/ns/net");
  if (setns (netns_fd, CLONE_NEWNET) < 0)
    return tr_error (err, errno, "enter the container's network namespace");
  nl->fd = nlmsg_socket (NETLINK_ROUTE, err);
  if (setns (ours, CLONE_NEWNET) < 0)
    {
      /* Staying in the container's namespace would be worse than dying. */
      tr_error (err, errno, "return to the runtime's network namespace");
      _exit (125);
    }
  return nl->fd < 0 ? -1 : 0;
}

void
rtnl_close (struct rtnl *nl)
{
  if (nl->fd >= 0)
    close (steal_fd (&nl->fd));
}

struct link_found
{
  int index;
  char *name;
};

static int
link_cb (const struct nlmsghdr *m, void *data)
{
  struct link_found *f = data;
  const struct ifinfomsg *ifi = NLMSG_DATA (m);
  if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH (sizeof *ifi))
    return 0;
  f->index = ifi->ifi_index;
  const struct rtattr *tb[IFLA_MAX + 1];
  nlmsg_attrs (m, sizeof *ifi, tb, IFLA_MAX);
  if (f->name && tb[IFLA_IFNAME])
    {
      size_t len = RTA_PAYLOAD (tb[IFLA_IFNAME]);
      len = len < IFNAMSIZ ? len : IFNAMSIZ - 1;
      memcpy (f->name, RTA_DATA (tb[IFLA_IFNAME]), len);
      f->name[len] = '\0';
    }
  return 0;
}

int
rtnl_link_index (struct rtnl *nl, const char *name, tr_error_t *err)
{
  struct nlmsg_req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  nlmsg_start (&r, ++nl->seq, RTM_GETLINK, 0, &ifi, sizeof ifi);
  nlmsg_put_str (&r, IFLA_IFNAME, name);
  struct link_found f = { 0 };
  if (nlmsg_transact (nl->fd, &r, link_cb, &f) < 0)
    return errno == ENODEV ? 0 : tr_error (err, errno, "look up network device %s", name);
  return f.index;
}

int
rtnl_link_name (struct rtnl *nl, int index, char *name, tr_error_t *err)
{
  struct nlmsg_req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
  nlmsg_start (&r, ++nl->seq, RTM_GETLINK, 0, &ifi, sizeof ifi);
  struct link_found f = { .name = name };
  name[0] = '\0';
  if (nlmsg_transact (nl->fd, &r, link_cb, &f) < 0)
    return tr_error (err, errno, "look up network device %d", index);
  return 0;
}

int
rtnl_link_set_up (struct rtnl *nl, int index, bool up, tr_error_t *err)
{
  struct nlmsg_req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_change = IFF_UP,
                           .ifi_flags = up ? IFF_UP : 0 };
  nlmsg_start (&r, ++nl->seq, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  if (nlmsg_transact (nl->fd, &r, NULL, NULL) < 0)
    return tr_error (err, errno, "set network device %d %s", index, up ? "up" : "down");
  return 0;
}

int
rtnl_link_move (struct rtnl *nl, int index, int netns_fd, const char *new_name, tr_error_t *err)
{
  struct nlmsg_req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
  nlmsg_start (&r, ++nl->seq, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  nlmsg_put_u32 (&r, IFLA_NET_NS_FD, (uint32_t) netns_fd);
  nlmsg_put_str (&r, IFLA_IFNAME, new_name);
  if (nlmsg_transact (nl->fd, &r, NULL, NULL) < 0)
    return tr_error (err, errno, "move network device %d into the container as %s", index, new_name);
  return 0;
}

struct addr_scan
{
  int index;
  struct rtnl_addr *out;
  size_t n;
};

static void
copy_attr (const struct rtattr *a, unsigned char *to, bool *has)
{
  size_t len = RTA_PAYLOAD (a);
  if (len > 16)
    return;
  memcpy (to, RTA_DATA (a), len);
  *has = true;
}

static int
addr_cb (const struct nlmsghdr *m, void *data)
{
  struct addr_scan *s = data;
  const struct ifaddrmsg *ifa = NLMSG_DATA (m);
  if (m->nlmsg_type != RTM_NEWADDR || m->nlmsg_len < NLMSG_LENGTH (sizeof *ifa) || (int) ifa->ifa_index != s->index)
    return 0;
  if (s->n == RTNL_MAX_ADDRS)
    {
      errno = E2BIG;
      return -1;
    }
  struct rtnl_addr *o = &s->out[s->n++];
  memset (o, 0, sizeof *o);
  o->ifa = *ifa;
  o->flags = ifa->ifa_flags;
  const struct rtattr *tb[IFA_MAX + 1];
  nlmsg_attrs (m, sizeof *ifa, tb, IFA_MAX);
  if (tb[IFA_LOCAL])
    copy_attr (tb[IFA_LOCAL], o->local, &o->has_local);
  if (tb[IFA_ADDRESS])
    copy_attr (tb[IFA_ADDRESS], o->address, &o->has_address);
  if (tb[IFA_BROADCAST])
    copy_attr (tb[IFA_BROADCAST], o->broadcast, &o->has_broadcast);
  if (tb[IFA_FLAGS] && RTA_PAYLOAD (tb[IFA_FLAGS]) == sizeof (uint32_t))
    memcpy (&o->flags, RTA_DATA (tb[IFA_FLAGS]), sizeof o->flags);
  return 0;
}

int
rtnl_addr_list (struct rtnl *nl, int index, struct rtnl_addr *out, size_t *n, tr_error_t *err)
{
  struct nlmsg_req r;
  struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC, .ifa_index = (uint32_t) index };
  nlmsg_start (&r, ++nl->seq, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof ifa);
  struct addr_scan s = { .index = index, .out = out };
  if (nlmsg_transact (nl->fd, &r, addr_cb, &s) < 0)
    return tr_error (err, errno, "list the addresses of network device %d", index);
  *n = s.n;
  return 0;
}

int
rtnl_addr_add (struct rtnl *nl, int index, const struct rtnl_addr *a, tr_error_t *err)
{
  struct nlmsg_req r;
  struct ifaddrmsg ifa = a->ifa;
  ifa.ifa_index = (uint32_t) index;
  nlmsg_start (&r, ++nl->seq, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, &ifa, sizeof ifa);
  size_t len = a->ifa.ifa_family == AF_INET ? 4 : 16;
  if (a->has_local)
    nlmsg_put (&r, IFA_LOCAL, a->local, len);
  if (a->has_address)
    nlmsg_put (&r, IFA_ADDRESS, a->address, len);
  if (a->has_broadcast)
    nlmsg_put (&r, IFA_BROADCAST, a->broadcast, len);
  nlmsg_put (&r, IFA_FLAGS, &a->flags, sizeof a->flags);
  if (nlmsg_transact (nl->fd, &r, NULL, NULL) < 0)
    {
      int saved = errno;
      char text[INET6_ADDRSTRLEN] = "?";
      inet_ntop (a->ifa.ifa_family, a->has_local ? a->local : a->address, text, sizeof text);
      return tr_error (err, saved, "add address %s/%u", text, a->ifa.ifa_prefixlen);
    }
  return 0;
}
