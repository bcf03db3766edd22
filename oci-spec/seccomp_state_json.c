#include "config.h"
#include "oci-spec/seccomp_state_json.h"
#include "oci-spec/json_write.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

/* Everything but "state", closed: the caller reopens it. */
static void
gen_head (yajl_gen g, pid_t pid, const char *metadata)
{
  yajl_gen_map_open (g);
  jw_str (g, "ociVersion");
  jw_str (g, "1.2.0");
  jw_str (g, "fds");
  yajl_gen_array_open (g);
  jw_str (g, "seccompFd");
  yajl_gen_array_close (g);
  jw_str (g, "pid");
  yajl_gen_integer (g, pid);
  jw_str (g, "metadata");
  jw_str (g, metadata ? metadata : "");
  yajl_gen_map_close (g);
}

char *
seccomp_state_json (pid_t pid, const char *metadata, const char *state_json, size_t *len, tr_error_t *err)
{
  yajl_gen g = jw_new (false, "seccomp listener message", err);
  if (g == NULL)
    return NULL;
  gen_head (g, pid, metadata);
  /* The container state is already JSON: splice it in as "state", in
   * place of the closing brace. */
  const unsigned char *buf;
  size_t n = 0;
  char *out = NULL;
  if (yajl_gen_get_buf (g, &buf, &n) != yajl_gen_status_ok || n == 0
      || asprintf (&out, "%.*s,\"state\":%s}", (int) n - 1, buf, state_json) < 0)
    out = NULL;
  yajl_gen_free (g);
  if (out == NULL)
    {
      tr_error (err, ENOMEM, "seccomp listener message");
      return NULL;
    }
  *len = strlen (out);
  return out;
}
