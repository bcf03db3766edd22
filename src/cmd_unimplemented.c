/* Commands that later issues fill in. */
#include "config.h"
#include "cmd.h"

#include <errno.h>

#define NOT_YET(name)                                                                 \
  int cmd_##name (const struct globals *g, int argc, char **argv, tr_error_t *err)   \
  {                                                                                   \
    (void) g;                                                                         \
    (void) argc;                                                                      \
    (void) argv;                                                                      \
    tr_error_plain (err, ENOTSUP, #name ": not implemented yet");                           \
    return 1;                                                                         \
  }

NOT_YET (exec)
