/* A bridge's lifetime: made (with its addresses, NAT tables and the
 * host's forwarding) by its first container, taken down with its last;
 * and a container's part of it, released by `down`, `gc` and a failing
 * `up` alike. */
#ifndef TINYRUN_NET_BRIDGE_H
#define TINYRUN_NET_BRIDGE_H

#include "net/ipam.h"
#include "net/netlink.h"
#include "net/options.h"
#include "util/error.h"

#define VETH_KEY_PREFIX "veth-"
#define PORT_KEY_PREFIX "port-"
#define RESOLV_KEY_PREFIX "resolv-"

/* The bridge with o's subnets (each family checked against the other
 * bridges and the host's routes the first time). */
int bridge_ensure (struct nl *host, struct ipam *ipam, const struct options *o, tr_error_t *err);
/* Everything of the container id: its veth, ports, resolv.conf and
 * leases; then the bridge itself when it was the last.  Best effort. */
void bridge_release (struct nl *host, struct ipam *ipam, const char *bridge, const char *id);

#endif
