#include "config.h"
#include "net/nat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

static int
run (const char *cmds, const char *what, tr_error_t *err)
{
  struct nft_ctx *ctx = nft_ctx_new (NFT_CTX_DEFAULT);
  if (ctx == NULL)
    return tr_error (err, ENOMEM, "%s: nft_ctx_new", what);
  nft_ctx_buffer_output (ctx);
  nft_ctx_buffer_error (ctx);
  int r = nft_run_cmd_from_buffer (ctx, cmds);
  if (r != 0)
    {
      char msg[512];
      snprintf (msg, sizeof msg, "%s", nft_ctx_get_error_buffer (ctx));
      char *nl = strchr (msg, '\n');
      if (nl)
        *nl = '\0';
      nft_ctx_free (ctx);
      return tr_error_plain (err, EINVAL, "%s: nftables: %s", what, msg);
    }
  nft_ctx_free (ctx);
  return 0;
}

int
nat_add (const char *bridge, const struct subnet *s, tr_error_t *err)
{
  char net[INET_ADDRSTRLEN], cmds[2048];
  inet_ntop (AF_INET, &s->network, net, sizeof net);
  /* postrouting: traffic from the subnet leaving it is masqueraded;
   * forward: accepted in both directions for the bridge, in case the
   * host's own forward policy drops. */
  snprintf (cmds, sizeof cmds,
            "add table ip tinyrun-net-%1$s\n"
            "add chain ip tinyrun-net-%1$s postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
            "add rule ip tinyrun-net-%1$s postrouting ip saddr %2$s/%3$d ip daddr != %2$s/%3$d counter masquerade\n"
            "add chain ip tinyrun-net-%1$s forward { type filter hook forward priority filter; policy accept; }\n"
            "add rule ip tinyrun-net-%1$s forward iifname \"%1$s\" accept\n"
            "add rule ip tinyrun-net-%1$s forward oifname \"%1$s\" ct state related,established accept\n",
            bridge, net, s->prefix);
  return run (cmds, "set up NAT", err);
}

int
nat_remove (const char *bridge, tr_error_t *err)
{
  if (!nat_exists (bridge))
    return 0;
  char cmd[256];
  snprintf (cmd, sizeof cmd, "delete table ip tinyrun-net-%s\n", bridge);
  return run (cmd, "remove NAT", err);
}

int
nat_exists (const char *bridge)
{
  char cmd[256];
  snprintf (cmd, sizeof cmd, "list table ip tinyrun-net-%s\n", bridge);
  return run (cmd, "nat", NULL) == 0;
}
