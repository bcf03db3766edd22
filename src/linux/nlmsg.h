/* Netlink requests built by hand, and their replies read: the one netlink
 * layer of tinyrun (linux/rtnl.c for linux.netDevices) and of tinyrun-net
 * (net/netlink.c, net/nfnl.c).  A request is a netlink header, a fixed
 * header of the family (ifinfomsg, ifaddrmsg, rtmsg, nfgenmsg) and
 * attributes, nested ones too, in one NLMSG_REQ_SIZE buffer, after which
 * more requests may follow (an nfnetlink batch); nlmsg_transact sends them
 * in one datagram and hands each reply of their sequence numbers to a
 * callback until the kernel's acknowledgements, the end of a dump or an
 * error.  (tinyrun-net used libmnl for this; the musl build links
 * statically and Debian ships no static libmnl, and the same ~150 lines
 * were here twice.) */
#ifndef TINYRUN_NLMSG_H
#define TINYRUN_NLMSG_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* The largest request: a veth pair with both names, a namespace and a
 * master takes ~130 bytes; an nfnetlink batch of a map's elements ~110
 * bytes and 48 per IPv6 element (net/nfnl.c checks its largest). */
#define NLMSG_REQ_SIZE 4096

struct nlmsg_req
{
  char buf[NLMSG_REQ_SIZE] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  size_t at;     /* where the message being built starts */
  bool overflow; /* an attribute did not fit: nlmsg_transact fails, EMSGSIZE */
};

/* A netlink socket of that protocol (NETLINK_ROUTE, NETLINK_NETFILTER),
 * close-on-exec, bound, in the calling thread's network namespace (a
 * socket keeps talking to the namespace it was opened in).  The fd, or
 * -1. */
int nlmsg_socket (int protocol, tr_error_t *err);

/* Start a request of that type (NLM_F_REQUEST and flags) with the
 * family's fixed header (copied, len bytes); the header in r->buf. */
struct nlmsghdr *nlmsg_start (struct nlmsg_req *r, uint32_t seq, int type, int flags, const void *header,
                              size_t len);
/* Start another request after the ones in r, sent with them in one
 * datagram (an nfnetlink batch); attributes go to the newest. */
struct nlmsghdr *nlmsg_append (struct nlmsg_req *r, uint32_t seq, int type, int flags, const void *header,
                               size_t len);

void nlmsg_put (struct nlmsg_req *r, int type, const void *data, size_t len);
void nlmsg_put_u32 (struct nlmsg_req *r, int type, uint32_t value);
/* A string with its NUL. */
void nlmsg_put_str (struct nlmsg_req *r, int type, const char *s);
/* Bytes with no attribute header (the peer's ifinfomsg inside
 * VETH_INFO_PEER). */
void nlmsg_put_raw (struct nlmsg_req *r, const void *data, size_t len);
/* A nested attribute: what nlmsg_nest_start returns goes to
 * nlmsg_nest_end once its members are in. */
size_t nlmsg_nest_start (struct nlmsg_req *r, int type);
void nlmsg_nest_end (struct nlmsg_req *r, size_t start);

/* A reply: return 0 to go on, <0 with errno set to fail. */
typedef int (*nlmsg_cb) (const struct nlmsghdr *m, void *data);

/* Send the requests on fd, then pass each reply of their sequence numbers
 * (from the kernel only) to cb, when set.  When any request has NLM_F_ACK:
 * until each of those is acknowledged, or the first error.  When none has
 * (a get or a dump, alone: a request that gets no reply would wait
 * forever): until NLMSG_DONE or an error, or after the first reply that
 * is not part of a dump.  0, or -1 with errno (the kernel's error, also
 * one at the end of a dump; EMSGSIZE for a reply larger than the receive
 * buffer). */
int nlmsg_transact (int fd, struct nlmsg_req *r, nlmsg_cb cb, void *data);

/* The attributes of a reply after its fixed header of hdrlen bytes, by
 * type, into tb[0..max] (NULL where absent; later ones win). */
void nlmsg_attrs (const struct nlmsghdr *m, size_t hdrlen, const struct rtattr **tb, int max);
/* An attribute's value, 0 when it is too short for a u32. */
uint32_t nlmsg_attr_u32 (const struct rtattr *a);

#endif
