/* Masquerading for a bridge's subnet with libnftables: one table per
 * bridge ("ip tinyrun-net-<bridge>"), so removing it removes exactly what
 * tinyrun-net added and nothing of the host's own rules. */
#ifndef TINYRUN_NET_NAT_H
#define TINYRUN_NET_NAT_H

#include "util/error.h"
#include "net/ipam.h"

int nat_add (const char *bridge, const struct subnet *s, tr_error_t *err);
int nat_remove (const char *bridge, tr_error_t *err);
/* Is the table there? (for tests and idempotence) */
int nat_exists (const char *bridge);

#endif
