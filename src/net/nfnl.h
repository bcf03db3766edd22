/* What tinyrun-net asks of nf_tables itself, over nfnetlink, on one
 * socket per call: the elements of a bridge's "ports" map (net/nat.h:
 * protocol . host port -> address . container port), added and deleted,
 * so that publishing a port starts no nft; and the removal of a table,
 * which nft would make the hook wait for (below).  Making the tables,
 * chains and rules stays nft's (net/nft.h).
 *
 * The kernel frees deleted nf_tables objects a grace period later, and
 * the last close of any nfnetlink socket while such a free is pending
 * waits for it (nf_tables' NETLINK_URELEASE handler flushes that work):
 * 13-15 ms on the test VM, which `down` of a container with published
 * ports, or of a bridge's last container, used to wait.  So the socket's
 * last close happens in a detached child (net/detached.h), after the
 * batches were acknowledged: the change is in force when these return. */
#ifndef TINYRUN_NET_NFNL_H
#define TINYRUN_NET_NFNL_H

#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"
#include "net/nat.h"
#include "util/error.h"

/* Map each port to addr . its container port, in the table of addr's
 * family; an element the map holds for another address is an error. */
int nfnl_map_add (const char *bridge, const struct port *ports, size_t n, const struct ip_addr *addr,
                  tr_error_t *err);
/* Remove the ports from the family's map; ones already missing are no
 * error. */
int nfnl_map_del (const char *bridge, int family, const struct port *ports, size_t n, tr_error_t *err);

/* Delete the family's table of the bridge; 0 also when there is none. */
int nfnl_table_del (const char *bridge, int family, tr_error_t *err);

#endif
