/* tinyrun-net's nftables tables: one per bridge and family,
 * "ip tinyrun-net-<bridge>" and "ip6 tinyrun-net-<bridge>", holding the
 * masquerade of the subnet, the forward accepts and the published ports
 * (a map "ports" from protocol . host port to address . container port,
 * consulted by DNAT in prerouting and output for local destinations).
 * nft makes the tables (net/nft.h); the map's elements and the tables'
 * removal are tinyrun-net's own requests over nfnetlink (net/nfnl.h). */
#ifndef TINYRUN_NET_NAT_H
#define TINYRUN_NET_NAT_H

#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "util/error.h"

struct port
{
  int proto; /* IPPROTO_TCP or IPPROTO_UDP */
  uint16_t host;
  uint16_t ctr;
};

const char *port_proto_name (int proto);

/* (Re)create the family's table for the bridge, empty of ports. */
int nat_setup (const char *bridge, const struct subnet *s, tr_error_t *err);
/* Remove the family's table; 0 also when there is none. */
int nat_remove (const char *bridge, int family, tr_error_t *err);
/* Publish ports to addr (its family's table). */
int nat_publish (const char *bridge, const struct port *ports, size_t n, const struct ip_addr *addr, tr_error_t *err);
/* Withdraw ports (missing ones are not an error). */
int nat_unpublish (const char *bridge, int family, const struct port *ports, size_t n, tr_error_t *err);

#endif
