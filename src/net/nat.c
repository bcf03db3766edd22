#include "config.h"
#include "net/nat.h"
#include "net/nft.h"
#include "net/nfnl.h"
#include "util/cleanup.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>

const char *
port_proto_name (int proto)
{
  return proto == IPPROTO_UDP ? "udp" : "tcp";
}

static const char *
family_name (int family)
{
  return family == AF_INET ? "ip" : "ip6";
}

/* The rules of one family's table (%1$s family, %2$s bridge, %3$s the
 * subnet, %4$s the address type):
 *   prerouting, output: DNAT of local destinations through the ports map
 *     (output: the host's own connections, to 127.0.0.1 as well);
 *   postrouting: masquerade the subnet leaving it, connections from the
 *     host's loopback (127.0.0.1 cannot be a source on the bridge; the
 *     bridge's route_localnet lets them be routed there), and DNATed
 *     connections from the subnet back into it (hairpin: the reply must
 *     come back through the host);
 *   forward: accept the bridge's traffic in case the host's policy drops.
 * A table left by a crash is flushed, not deleted and made again: nothing
 * is deleted from a new one, so the kernel has nothing to free a grace
 * period later, which nft's exit would wait for (net/nfnl.h). */
static const char rules_format[]
    = "add table %1$s tinyrun-net-%2$s\n"
      "flush table %1$s tinyrun-net-%2$s\n"
      "add map %1$s tinyrun-net-%2$s ports { type inet_proto . inet_service : %4$s . inet_service; }\n"
      "flush map %1$s tinyrun-net-%2$s ports\n"
      "add chain %1$s tinyrun-net-%2$s prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
      "add rule %1$s tinyrun-net-%2$s prerouting fib daddr type local meta l4proto { tcp, udp } "
      "dnat to meta l4proto . th dport map @ports\n"
      "add chain %1$s tinyrun-net-%2$s output { type nat hook output priority -100; policy accept; }\n"
      "add rule %1$s tinyrun-net-%2$s output fib daddr type local meta l4proto { tcp, udp } "
      "dnat to meta l4proto . th dport map @ports\n"
      "add chain %1$s tinyrun-net-%2$s postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
      "add rule %1$s tinyrun-net-%2$s postrouting %1$s saddr %3$s %1$s daddr != %3$s masquerade\n"
      "add rule %1$s tinyrun-net-%2$s postrouting oifname \"%2$s\" ct status dnat %1$s saddr %3$s masquerade\n"
      "%5$s"
      "add chain %1$s tinyrun-net-%2$s forward { type filter hook forward priority filter; policy accept; }\n"
      "add rule %1$s tinyrun-net-%2$s forward iifname \"%2$s\" accept\n"
      "add rule %1$s tinyrun-net-%2$s forward oifname \"%2$s\" ct state related,established accept\n"
      "add rule %1$s tinyrun-net-%2$s forward oifname \"%2$s\" ct status dnat accept\n";

int
nat_setup (const char *bridge, const struct subnet *s, tr_error_t *err)
{
  char net[ADDR_TEXT + 4], loopback[160] = "", cmds[4096];
  int v4 = s->net.family == AF_INET;
  if (v4)
    snprintf (loopback, sizeof loopback,
              "add rule ip tinyrun-net-%s postrouting oifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n", bridge,
              bridge);
  snprintf (cmds, sizeof cmds, rules_format, family_name (s->net.family), bridge, subnet_format (s, net),
            v4 ? "ipv4_addr" : "ipv6_addr", loopback);
  tr_error_t first = NULL;
  if (nft_run (cmds, "set up NAT", &first) == 0)
    return 0;
  /* A leftover table whose map or chains differ from ours cannot be
   * flushed into shape: once deleted, the script makes it anew. */
  if (nfnl_table_del (bridge, s->net.family, NULL) < 0)
    {
      if (err)
        *err = steal_ptr (&first);
      tr_error_free (&first);
      return -1;
    }
  tr_error_ignore (&first, "a leftover table of the bridge was deleted and made again");
  return nft_run (cmds, "set up NAT", err);
}

int
nat_remove (const char *bridge, int family, tr_error_t *err)
{
  if (nfnl_table_del (bridge, family, err) < 0)
    return tr_error_wrap (err, "remove NAT");
  return 0;
}

int
nat_publish (const char *bridge, const struct port *ports, size_t n, const struct ip_addr *addr, tr_error_t *err)
{
  if (n == 0)
    return 0;
  if (nfnl_map_add (bridge, ports, n, addr, err) < 0)
    return tr_error_wrap (err, "publish ports");
  return 0;
}

int
nat_unpublish (const char *bridge, int family, const struct port *ports, size_t n, tr_error_t *err)
{
  if (n == 0 || nfnl_map_del (bridge, family, ports, n, err) == 0)
    return 0;
  return tr_error_wrap (err, "withdraw ports");
}
