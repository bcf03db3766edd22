/* The rtnetlink requests tinyrun-net needs (built with linux/nlmsg.h):
 * one NETLINK_ROUTE socket per network namespace, one function per
 * request. */
#ifndef TINYRUN_NET_NETLINK_H
#define TINYRUN_NET_NETLINK_H

#include <netinet/in.h>
#include <stdbool.h>

#include "net/addr.h"
#include "util/error.h"

struct nl;

/* A socket in the calling thread's current network namespace. */
struct nl *nl_open (tr_error_t *err);
void nl_close (struct nl *nl);

/* 0 when the link does not exist. */
int nl_link_index (struct nl *nl, const char *name);
/* Is the link's peer (the other end of a veth) in a network namespace the
 * kernel is already destroying?  The kernel then deletes the pair itself. */
bool nl_link_peer_dying (struct nl *nl, int index);
/* The index (in its own namespace) of the peer of a veth whose peer is in
 * another namespace; 0 when the link is not such a veth. */
int nl_link_peer_index (struct nl *nl, const char *name);

int nl_bridge_add (struct nl *nl, const char *name, tr_error_t *err);
/* A veth pair: name in this namespace, up and attached to the bridge of
 * index master (0: none), and peer (down) in the namespace of
 * peer_netns (-1: this one too); made there, it costs no move and no
 * rename.  One request: when the attachment fails, the kernel deletes the
 * pair again. */
struct veth
{
  const char *name;
  int master;
  const char *peer;
  int peer_netns;
};
int nl_veth_add (struct nl *nl, const struct veth *v, tr_error_t *err);
int nl_link_del (struct nl *nl, const char *name, tr_error_t *err);
int nl_link_del_index (struct nl *nl, int index, tr_error_t *err);
int nl_link_up (struct nl *nl, const char *name, tr_error_t *err);
int nl_addr_add (struct nl *nl, const char *name, const struct ip_addr *addr, int prefix, tr_error_t *err);
int nl_route_add_default (struct nl *nl, const char *name, const struct ip_addr *gateway, tr_error_t *err);
/* Is there a route of the main table (not the default, not through the
 * link skip) whose destination overlaps s?  1 with it in *found and its
 * link's index in *oif, 0 when none. */
int nl_route_overlapping (struct nl *nl, const struct subnet *s, const char *skip, struct subnet *found, int *oif,
                          tr_error_t *err);

#endif
