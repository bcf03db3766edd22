/* libnftables through dlopen (see nft_lib.h). */
#include "config.h"
#include "net/nft_lib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

struct nft_lib nft_lib;

#define NFT_LIB_NAME "libnftables.so.1"

/* Each member of struct nft_lib and the symbol that fills it. */
static const struct
{
  const char *symbol;
  size_t offset;
} symbols[] = {
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
  /* Kept for the life of the process, which is short. */
  void *h = dlopen (NFT_LIB_NAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return tr_error_plain (err, ENOENT, "%s: load %s (install libnftables1): %s", what, NFT_LIB_NAME, dlerror ());
  struct nft_lib lib;
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
    {
      void *f = dlsym (h, symbols[i].symbol);
      if (f == NULL)
        {
          dlclose (h);
          return tr_error_plain (err, ENOSYS, "%s: %s has no %s", what, NFT_LIB_NAME, symbols[i].symbol);
        }
      /* POSIX guarantees a function pointer fits a void * (dlsym). */
      *(void **) ((char *) &lib + symbols[i].offset) = f;
    }
  nft_lib = lib;
  handle = h;
  return 0;
}
