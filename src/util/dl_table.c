/* Tables of dlopen'ed functions (see dl_table.h). */
#include "config.h"
#include "util/dl_table.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>

void *
dl_table_load (const char *what, const char *library, const char *package, const struct dl_symbol *symbols,
               size_t n, void *table, tr_error_t *err)
{
  void *h = dlopen (library, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    {
      tr_error_plain (err, ENOENT, "%s: load %s (install %s): %s", what, library, package, dlerror ());
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    {
      void *f = dlsym (h, symbols[i].symbol);
      if (f == NULL)
        {
          dlclose (h);
          tr_error_plain (err, ENOSYS, "%s: %s has no %s", what, library, symbols[i].symbol);
          return NULL;
        }
      /* POSIX guarantees a function pointer fits a void * (dlsym). */
      memcpy ((char *) table + symbols[i].offset, &f, sizeof f);
    }
  return h;
}
