/* nftables scripts, applied by the nft program (`nft -f -`, from Debian's
 * nftables package; its path is fixed when tinyrun is configured).
 *
 * tinyrun-net is linked statically against musl, which cannot load
 * libnftables; and only the first container of a bridge runs nft, to make
 * its tables (published ports and the tables' removal go over nfnetlink,
 * net/nfnl.h), so no other up or down starts it.  (Podman's
 * netavark and the CNI plugins drive nftables and iptables through their
 * programs as well.)  nft gets the script on a memfd as its stdin, its
 * stderr on another, /dev/null as stdout, no other fd and an environment of
 * just PATH. */
#ifndef TINYRUN_NET_NFT_H
#define TINYRUN_NET_NFT_H

#include "util/error.h"

/* Apply the script; on failure "<what>: nftables: <nft's first line of
 * error>", or why nft could not be run. */
int nft_run (const char *script, const char *what, tr_error_t *err);

#endif
