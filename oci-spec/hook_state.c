#include "config.h"
#include "oci-spec/hook_state.h"
#include "oci-spec/json_read.h"

#include <errno.h>

int
hook_state_decode (const char *text, size_t len, struct container_state *st, tr_error_t *err)
{
  yajl_val doc = jr_parse (text, len, "container state", JSON_MAX_CONFIG, err);
  if (doc == NULL)
    return -1;
  struct jr r = { .arena = &st->arena };
  opt_i64 pid = { 0 };
  int ret = 0;
  if (jr_string (&r, doc, "", "id", &st->id, err) < 0 || jr_i64 (&r, doc, "", "pid", &pid, err) < 0
      || jr_string (&r, doc, "", "bundle", &st->bundle, err) < 0
      || jr_strmap (&r, doc, "", "annotations", &st->annotations, err) < 0)
    ret = -1;
  json_tree_free (doc);
  if (ret < 0)
    return -1;
  if (st->id == NULL)
    return tr_error_plain (err, EINVAL, "container state: no id");
  st->pid = (pid_t) pid.v;
  return 0;
}
