/* IPv4 and IPv6 addresses and subnets, as tinyrun-net's flags spell them. */
#ifndef TINYRUN_NET_ADDR_H
#define TINYRUN_NET_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct ip_addr
{
  int family; /* AF_INET or AF_INET6; 0: none */
  uint8_t b[16]; /* network order; 4 bytes for AF_INET */
};

struct subnet
{
  struct ip_addr net; /* the host bits cleared */
  int prefix;
};

/* Room for either family's text ("fd00:...:1"). */
#define ADDR_TEXT 46

/* "10.89.0.5" or "fd00::5" (family 0: either); flag names the option in
 * the error. */
int addr_parse (const char *text, int family, const char *flag, struct ip_addr *out, tr_error_t *err);
const char *addr_format (const struct ip_addr *a, char buf[ADDR_TEXT]);
bool addr_equal (const struct ip_addr *a, const struct ip_addr *b);

/* "10.89.0.0/24" (prefix 8 to 30) or "fd00:89::/64" (prefix 48 to 120):
 * room for a gateway and hosts. */
int subnet_parse (const char *text, int family, const char *flag, struct subnet *out, tr_error_t *err);
/* "10.89.0.0/24" */
const char *subnet_format (const struct subnet *s, char buf[ADDR_TEXT + 4]);
/* The address at index n of the subnet (0 is the network, 1 the gateway). */
struct ip_addr subnet_at (const struct subnet *s, uint32_t n);
/* The index of a in s, or -1 when a is outside it. */
int64_t subnet_index (const struct subnet *s, const struct ip_addr *a);
/* The last index a container may use (IPv4: before the broadcast; IPv6:
 * capped at 2^20 so that a scan stays short). */
uint32_t subnet_last (const struct subnet *s);
bool subnet_overlaps (const struct subnet *a, const struct subnet *b);

#endif
