/* A few rtnetlink requests on a plain NETLINK_ROUTE socket, for
 * linux.netDevices (linux/netdev.c), built with linux/nlmsg.h.  A socket
 * belongs to the network namespace it was opened in, so one opened in the
 * container's namespace keeps talking to it after we return to ours. */
#ifndef TINYRUN_RTNL_H
#define TINYRUN_RTNL_H

#include <linux/if_addr.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct rtnl
{
  int fd;
  uint32_t seq;
};

/* An address of a link, as RTM_GETADDR reports it (the attributes that
 * make it up again elsewhere: no label, which names the old link). */
struct rtnl_addr
{
  struct ifaddrmsg ifa;
  uint32_t flags; /* IFA_FLAGS, or ifa.ifa_flags when the kernel sent none */
  unsigned char local[16], address[16], broadcast[16];
  bool has_local, has_address, has_broadcast;
};

#define RTNL_MAX_ADDRS 64

/* A socket in the network namespace of netns_fd (-1: the caller's). */
int rtnl_open (int netns_fd, struct rtnl *nl, tr_error_t *err);
void rtnl_close (struct rtnl *nl);

/* The index of the link called name; 0 when there is none. */
int rtnl_link_index (struct rtnl *nl, const char *name, tr_error_t *err);
/* The name of the link of that index (IFNAMSIZ bytes). */
int rtnl_link_name (struct rtnl *nl, int index, char *name, tr_error_t *err);
int rtnl_link_set_up (struct rtnl *nl, int index, bool up, tr_error_t *err);
/* Move the link into the namespace of netns_fd, named new_name there, in
 * one request (no name clash on the way). */
int rtnl_link_move (struct rtnl *nl, int index, int netns_fd, const char *new_name, tr_error_t *err);
/* The link's addresses (at most RTNL_MAX_ADDRS), in *n. */
int rtnl_addr_list (struct rtnl *nl, int index, struct rtnl_addr *out, size_t *n, tr_error_t *err);
int rtnl_addr_add (struct rtnl *nl, int index, const struct rtnl_addr *a, tr_error_t *err);

#define cleanup_rtnl __attribute__ ((cleanup (rtnl_close)))

#endif
