/* libnftables through dlopen (see nft_lib.h). */
#include "config.h"
#include "net/nft_lib.h"
#include "util/dl_table.h"

#include <errno.h>
#include <stddef.h>

struct nft_lib nft_lib;

#define NFT_LIB_NAME "libnftables.so.1"

/* Each member of struct nft_lib and the symbol that fills it. */
static const struct dl_symbol symbols[] = {
#define SYM(member, name) { name, offsetof (struct nft_lib, member) }
  SYM (ctx_new, "nft_ctx_new"),
  SYM (ctx_free, "nft_ctx_free"),
  SYM (ctx_buffer_output, "nft_ctx_buffer_output"),
  SYM (ctx_buffer_error, "nft_ctx_buffer_error"),
  SYM (ctx_get_error_buffer, "nft_ctx_get_error_buffer"),
  SYM (run_cmd_from_buffer, "nft_run_cmd_from_buffer"),
#undef SYM
};

int
nft_lib_load (const char *what, tr_error_t *err)
{
  static void *handle;
  if (handle)
    return 0;
  struct nft_lib lib;
  void *h = dl_table_load (what, NFT_LIB_NAME, "libnftables1", symbols, sizeof symbols / sizeof symbols[0], &lib, err);
  if (h == NULL)
    return -1;
  nft_lib = lib;
  handle = h;
  return 0;
}
