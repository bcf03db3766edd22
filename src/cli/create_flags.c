#include "config.h"
#include "cli/create_flags.h"
#include "cli/cmd.h"

#include <errno.h>
#include <fcntl.h>

int
create_flag (int opt, const char *arg, struct create_options *o, tr_error_t *err)
{
  switch (opt)
    {
    case CREATE_OPT_BUNDLE:
      o->bundle = arg;
      return 1;
    case CREATE_OPT_PID_FILE:
      o->pid_file = arg;
      return 1;
    case CREATE_OPT_CONSOLE_SOCKET:
      o->console_socket = arg;
      return 1;
    case CREATE_OPT_NO_PIVOT:
      o->no_pivot = true;
      return 1;
    case CREATE_OPT_NO_NEW_KEYRING:
      o->no_new_keyring = true;
      return 1;
    case CREATE_OPT_PRESERVE_FDS:
      if (cmd_parse_int ("--preserve-fds", arg, &o->preserve_fds, err) < 0)
        return -1;
      /* The runtime's own fds would otherwise take the free numbers and
       * be handed to the container in their place. */
      for (int fd = 3; fd < 3 + o->preserve_fds; fd++)
        if (fcntl (fd, F_GETFD) < 0)
          {
            tr_error_plain (err, EBADF, "--preserve-fds %d: fd %d is not open", o->preserve_fds, fd);
            return -1;
          }
      return 1;
    case CREATE_OPT_NO_SUBREAPER:
      return 1;
    default:
      return 0;
    }
}
