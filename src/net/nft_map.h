/* The elements of a bridge's "ports" map (net/nat.h: protocol . host port
 * -> address . container port), added and deleted over nfnetlink
 * directly, in one batch per call: publishing a port starts no nft (the
 * tables, chains and rules stay nft's, net/nft.h).
 *
 * The kernel frees deleted nf_tables objects a grace period later, and
 * the last close of any nfnetlink socket while such a free is pending
 * waits for it (nf_tables' NETLINK_URELEASE handler flushes that work):
 * 13-15 ms on the test VM, which `down` of a container with published
 * ports used to wait.  So the socket's last close happens in a detached
 * child (net/detached.h), after the batch was acknowledged: the change is
 * in force when these return. */
#ifndef TINYRUN_NET_NFT_MAP_H
#define TINYRUN_NET_NFT_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"
#include "net/nat.h"
#include "util/error.h"

/* Map each port to addr . its container port, in the table of addr's
 * family; an element the map holds for another address is an error. */
int nft_map_add (const char *bridge, const struct port *ports, size_t n, const struct ip_addr *addr,
                 tr_error_t *err);
/* Remove the ports from the family's map (all or nothing: a missing
 * element fails the batch, ENOENT). */
int nft_map_del (const char *bridge, int family, const struct port *ports, size_t n, tr_error_t *err);

#endif
