/* libnftables, loaded with dlopen only when tinyrun-net has nftables work
 * to do: setting up or removing a bridge's tables, or publishing and
 * withdrawing ports.  The up and down of a container without published
 * ports on an existing bridge, the common case, map neither libnftables
 * nor what it pulls in (libnftnl, libjansson, libgmp, libxtables): five
 * libraries fewer to load and relocate on each of the two starts of the
 * hook.  The header gives the types; nft_lib holds the functions. */
#ifndef TINYRUN_NET_NFT_LIB_H
#define TINYRUN_NET_NFT_LIB_H

#include <nftables/libnftables.h>

#include "util/error.h"

struct nft_lib
{
  struct nft_ctx *(*ctx_new) (uint32_t flags);
  void (*ctx_free) (struct nft_ctx *ctx);
  int (*ctx_buffer_output) (struct nft_ctx *ctx);
  int (*ctx_buffer_error) (struct nft_ctx *ctx);
  const char *(*ctx_get_error_buffer) (struct nft_ctx *ctx);
  int (*run_cmd_from_buffer) (struct nft_ctx *ctx, const char *buf);
};

/* Valid after nft_lib_load succeeded. */
extern struct nft_lib nft_lib;

/* dlopen libnftables.so.1 (once) and look up every function of nft_lib;
 * "<what>: load libnftables.so.1 (install libnftables1): ..." when it is
 * missing. */
int nft_lib_load (const char *what, tr_error_t *err);

#endif
