/* The seccomp user-notification listener handshake (runtime-spec,
 * config-linux.md "seccomp"): connect to listenerPath and send one message
 * whose data is the container process state and whose SCM_RIGHTS carry
 * the notify fd, named in "fds". */
#include "config.h"
#include "linux/seccomp.h"
#include "oci-spec/seccomp_state_json.h"
#include "util/cleanup.h"
#include "util/fd_passing.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool
seccomp_spec_uses_notify (const struct spec_seccomp *s)
{
  for (size_t i = 0; s && i < s->n_syscalls; i++)
    if (strcmp (s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
      return true;
  return false;
}

int
seccomp_send_to_listener (const struct spec_seccomp *s, int notify_fd, pid_t pid, const char *state_json,
                          tr_error_t *err)
{
  cleanup_close int sock = unix_connect (s->listener_path, err);
  if (sock < 0)
    return tr_error_wrap (err, "linux.seccomp.listenerPath");
  size_t len = 0;
  cleanup_free char *msg = seccomp_state_json (pid, s->listener_metadata, state_json, &len, err);
  if (msg == NULL)
    return -1;
  if (send_with_fd (sock, msg, len, notify_fd) < 0)
    return tr_error (err, errno, "linux.seccomp.listenerPath: send to %s", s->listener_path);
  return 0;
}
