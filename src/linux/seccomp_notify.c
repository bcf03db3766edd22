/* The seccomp user-notification listener handshake (runtime-spec,
 * config-linux.md "seccomp"): connect to listenerPath and send one message
 * whose data is the container process state and whose SCM_RIGHTS carry
 * the notify fd, named in "fds". */
#include "config.h"
#include "linux/seccomp.h"
#include "util/cleanup.h"
#include "util/fd_passing.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

bool
seccomp_spec_uses_notify (const struct spec_seccomp *s)
{
  for (size_t i = 0; s && i < s->n_syscalls; i++)
    if (strcmp (s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
      return true;
  return false;
}

static void
str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static char *
process_state (const struct spec_seccomp *s, pid_t pid, const char *state_json, size_t *len)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  str (g, "ociVersion");
  str (g, "1.2.0");
  str (g, "fds");
  yajl_gen_array_open (g);
  str (g, "seccompFd");
  yajl_gen_array_close (g);
  str (g, "pid");
  yajl_gen_integer (g, pid);
  str (g, "metadata");
  str (g, s->listener_metadata ? s->listener_metadata : "");
  yajl_gen_map_close (g);
  /* The container state is already JSON: splice it in as "state". */
  const unsigned char *buf;
  size_t n;
  yajl_gen_get_buf (g, &buf, &n);
  char *out = NULL;
  if (n == 0 || asprintf (&out, "%.*s,\"state\":%s}", (int) n - 1, buf, state_json) < 0)
    out = NULL;
  yajl_gen_free (g);
  if (out)
    *len = strlen (out);
  return out;
}

int
seccomp_send_to_listener (const struct spec_seccomp *s, int notify_fd, pid_t pid, const char *state_json,
                          tr_error_t *err)
{
  cleanup_close int sock = unix_connect (s->listener_path, err);
  if (sock < 0)
    return tr_error_wrap (err, "linux.seccomp.listenerPath");
  size_t len = 0;
  cleanup_free char *msg = process_state (s, pid, state_json, &len);
  if (msg == NULL)
    return tr_error (err, ENOMEM, "seccomp listener message");
  if (send_with_fd (sock, msg, len, notify_fd) < 0)
    return tr_error (err, errno, "linux.seccomp.listenerPath: send to %s", s->listener_path);
  return 0;
}
