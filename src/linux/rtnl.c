#include "config.h"
#include "linux/rtnl.h"
#include "util/cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQ_SIZE 512
#define RECV_SIZE 32768

struct req
{
  char buf[REQ_SIZE] __attribute__ ((aligned (NLMSG_ALIGNTO)));
};

static int
open_here (tr_error_t *err)
{
  cleanup_close int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    return tr_error (err, errno, "netlink socket");
  struct sockaddr_nl local = { .nl_family = AF_NETLINK };
  if (bind (fd, (struct sockaddr *) &local, sizeof local) < 0)
    return tr_error (err, errno, "bind a netlink socket");
  return steal_fd (&fd);
}

int
rtnl_open (int netns_fd, struct rtnl *nl, tr_error_t *err)
{
  nl->fd = -1;
  nl->seq = 0;
  if (netns_fd < 0)
    {
      nl->fd = open_here (err);
      return nl->fd < 0 ? -1 : 0;
    }
  /* Only this thread changes namespace, and only for the socket(2). */
  cleanup_close int ours = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (ours < 0)
    return tr_error (err, errno, "open /proc/thread-self/ns/net");
  if (setns (netns_fd, CLONE_NEWNET) < 0)
    return tr_error (err, errno, "enter the container's network namespace");
  nl->fd = open_here (err);
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

static struct nlmsghdr *
start (struct rtnl *nl, struct req *r, int type, int flags, const void *header, size_t len)
{
  memset (r, 0, sizeof *r);
  struct nlmsghdr *nlh = (struct nlmsghdr *) r->buf;
  nlh->nlmsg_type = (uint16_t) type;
  nlh->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | flags);
  nlh->nlmsg_seq = ++nl->seq;
  nlh->nlmsg_len = NLMSG_LENGTH (len);
  memcpy (r->buf + NLMSG_HDRLEN, header, len);
  return nlh;
}

/* Attributes are small and few: REQ_SIZE holds the largest request. */
static void
put_attr (struct req *r, int type, const void *data, size_t len)
{
  struct nlmsghdr *nlh = (struct nlmsghdr *) r->buf;
  size_t at = NLMSG_ALIGN (nlh->nlmsg_len);
  struct rtattr rta = { .rta_type = (unsigned short) type, .rta_len = (unsigned short) RTA_LENGTH (len) };
  memcpy (r->buf + at, &rta, sizeof rta);
  memcpy (r->buf + at + RTA_LENGTH (0), data, len);
  nlh->nlmsg_len = (uint32_t) (at + RTA_ALIGN (rta.rta_len));
}

/* Sends the request; then each reply of its sequence goes to cb (when
 * set) until the acknowledgement, the end of a dump or an error (errno
 * set, -1).  cb returns <0 to fail with errno set. */
static int
transact (struct rtnl *nl, struct nlmsghdr *nlh, int (*cb) (const struct nlmsghdr *, void *), void *data)
{
  if (send (nl->fd, nlh, nlh->nlmsg_len, 0) < 0)
    return -1;
  static char buf[RECV_SIZE] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  for (;;)
    {
      ssize_t n = recv (nl->fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n == 0 ? (errno = EPROTO, -1) : -1;
      size_t left = (size_t) n;
      for (struct nlmsghdr *m = (struct nlmsghdr *) buf; NLMSG_OK (m, left); m = NLMSG_NEXT (m, left))
        {
          if (m->nlmsg_seq != nlh->nlmsg_seq)
            continue;
          if (m->nlmsg_type == NLMSG_DONE)
            return 0;
          if (m->nlmsg_type == NLMSG_ERROR)
            {
              const struct nlmsgerr *e = NLMSG_DATA (m);
              if (e->error == 0)
                return 0;
              errno = -e->error;
              return -1;
            }
          if (cb && cb (m, data) < 0)
            return -1;
          if (!(m->nlmsg_flags & NLM_F_MULTI) && !(nlh->nlmsg_flags & NLM_F_ACK))
            return 0;
        }
    }
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
  if (m->nlmsg_type != RTM_NEWLINK)
    return 0;
  const struct ifinfomsg *ifi = NLMSG_DATA (m);
  f->index = ifi->ifi_index;
  size_t len = IFLA_PAYLOAD (m);
  for (const struct rtattr *a = IFLA_RTA (ifi); f->name && RTA_OK (a, len); a = RTA_NEXT (a, len))
    if (a->rta_type == IFLA_IFNAME)
      snprintf (f->name, IFNAMSIZ, "%s", (const char *) RTA_DATA (a));
  return 0;
}

int
rtnl_link_index (struct rtnl *nl, const char *name, tr_error_t *err)
{
  struct req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  struct nlmsghdr *nlh = start (nl, &r, RTM_GETLINK, 0, &ifi, sizeof ifi);
  put_attr (&r, IFLA_IFNAME, name, strlen (name) + 1);
  struct link_found f = { 0 };
  if (transact (nl, nlh, link_cb, &f) < 0)
    return errno == ENODEV ? 0 : tr_error (err, errno, "look up network device %s", name);
  return f.index;
}

int
rtnl_link_name (struct rtnl *nl, int index, char *name, tr_error_t *err)
{
  struct req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
  struct nlmsghdr *nlh = start (nl, &r, RTM_GETLINK, 0, &ifi, sizeof ifi);
  struct link_found f = { .name = name };
  name[0] = '\0';
  if (transact (nl, nlh, link_cb, &f) < 0)
    return tr_error (err, errno, "look up network device %d", index);
  return 0;
}

int
rtnl_link_set_up (struct rtnl *nl, int index, bool up, tr_error_t *err)
{
  struct req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_change = IFF_UP,
                           .ifi_flags = up ? IFF_UP : 0 };
  struct nlmsghdr *nlh = start (nl, &r, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  if (transact (nl, nlh, NULL, NULL) < 0)
    return tr_error (err, errno, "set network device %d %s", index, up ? "up" : "down");
  return 0;
}

int
rtnl_link_move (struct rtnl *nl, int index, int netns_fd, const char *new_name, tr_error_t *err)
{
  struct req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
  struct nlmsghdr *nlh = start (nl, &r, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  uint32_t fd = (uint32_t) netns_fd;
  put_attr (&r, IFLA_NET_NS_FD, &fd, sizeof fd);
  put_attr (&r, IFLA_IFNAME, new_name, strlen (new_name) + 1);
  if (transact (nl, nlh, NULL, NULL) < 0)
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
  if (m->nlmsg_type != RTM_NEWADDR || (int) ifa->ifa_index != s->index)
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
  size_t len = IFA_PAYLOAD (m);
  for (const struct rtattr *a = IFA_RTA (ifa); RTA_OK (a, len); a = RTA_NEXT (a, len))
    if (a->rta_type == IFA_LOCAL)
      copy_attr (a, o->local, &o->has_local);
    else if (a->rta_type == IFA_ADDRESS)
      copy_attr (a, o->address, &o->has_address);
    else if (a->rta_type == IFA_BROADCAST)
      copy_attr (a, o->broadcast, &o->has_broadcast);
    else if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD (a) == sizeof (uint32_t))
      memcpy (&o->flags, RTA_DATA (a), sizeof o->flags);
  return 0;
}

int
rtnl_addr_list (struct rtnl *nl, int index, struct rtnl_addr *out, size_t *n, tr_error_t *err)
{
  struct req r;
  struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC, .ifa_index = (uint32_t) index };
  struct nlmsghdr *nlh = start (nl, &r, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof ifa);
  struct addr_scan s = { .index = index, .out = out };
  if (transact (nl, nlh, addr_cb, &s) < 0)
    return tr_error (err, errno, "list the addresses of network device %d", index);
  *n = s.n;
  return 0;
}

int
rtnl_addr_add (struct rtnl *nl, int index, const struct rtnl_addr *a, tr_error_t *err)
{
  struct req r;
  struct ifaddrmsg ifa = a->ifa;
  ifa.ifa_index = (uint32_t) index;
  struct nlmsghdr *nlh = start (nl, &r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, &ifa, sizeof ifa);
  size_t len = a->ifa.ifa_family == AF_INET ? 4 : 16;
  if (a->has_local)
    put_attr (&r, IFA_LOCAL, a->local, len);
  if (a->has_address)
    put_attr (&r, IFA_ADDRESS, a->address, len);
  if (a->has_broadcast)
    put_attr (&r, IFA_BROADCAST, a->broadcast, len);
  put_attr (&r, IFA_FLAGS, &a->flags, sizeof a->flags);
  if (transact (nl, nlh, NULL, NULL) < 0)
    {
      int saved = errno;
      char text[INET6_ADDRSTRLEN] = "?";
      inet_ntop (a->ifa.ifa_family, a->has_local ? a->local : a->address, text, sizeof text);
      return tr_error (err, saved, "add address %s/%u", text, a->ifa.ifa_prefixlen);
    }
  return 0;
}
