/* The flags that `create` and `run` share. */
#ifndef TINYRUN_CREATE_FLAGS_H
#define TINYRUN_CREATE_FLAGS_H

#include <getopt.h>

#include "container/container.h"

enum
{
  CREATE_OPT_BUNDLE = 'b',
  CREATE_OPT_PID_FILE = 300,
  CREATE_OPT_CONSOLE_SOCKET,
  CREATE_OPT_NO_PIVOT,
  CREATE_OPT_NO_NEW_KEYRING,
  CREATE_OPT_PRESERVE_FDS,
  CREATE_OPT_NO_SUBREAPER,
  CREATE_OPT_PIDFD_SOCKET,
};

#define CREATE_LONG_OPTIONS                                                  \
  { "bundle", required_argument, NULL, CREATE_OPT_BUNDLE },                  \
  { "pid-file", required_argument, NULL, CREATE_OPT_PID_FILE },              \
  { "console-socket", required_argument, NULL, CREATE_OPT_CONSOLE_SOCKET },  \
  { "no-pivot", no_argument, NULL, CREATE_OPT_NO_PIVOT },                    \
  { "no-new-keyring", no_argument, NULL, CREATE_OPT_NO_NEW_KEYRING },        \
  { "preserve-fds", required_argument, NULL, CREATE_OPT_PRESERVE_FDS },      \
  { "no-subreaper", no_argument, NULL, CREATE_OPT_NO_SUBREAPER },            \
  { "pidfd-socket", required_argument, NULL, CREATE_OPT_PIDFD_SOCKET }

/* Handle one of the shared options; 1 if it was one, 0 if not, -1 on a
 * bad value. */
int create_flag (int opt, const char *arg, struct create_options *o, tr_error_t *err);

/* After the options: socket activation from tinyrun's own environment
 * (LISTEN_FDS, LISTEN_PID) into o->listen_fds, and the check that every
 * fd to pass (listening ones, then --preserve-fds) is the caller's. */
int create_flags_finish (struct create_options *o, tr_error_t *err);

/* fds first..first+n-1 must be open and inherited from the caller (not
 * close-on-exec: none of the runtime's own), and n bounded. */
int passed_fds_check (const char *flag, int first, int n, tr_error_t *err);

#endif
