#include "config.h"
#include "oci-spec/list_json.h"
#include "oci-spec/json_write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#define OCI_VERSION "1.2.0"

static void
gen_entry (yajl_gen g, const struct list_entry *e)
{
  const struct container_state *st = e->st;
  yajl_gen_map_open (g);
  jw_str (g, "ociVersion");
  jw_str (g, OCI_VERSION);
  jw_str (g, "id");
  jw_str (g, st->id);
  jw_str (g, "pid");
  yajl_gen_integer (g, e->pid);
  jw_str (g, "status");
  jw_str (g, e->status);
  jw_str (g, "bundle");
  jw_str (g, st->bundle);
  jw_str (g, "rootfs");
  jw_str (g, st->rootfs);
  jw_str (g, "created");
  jw_str (g, st->created);
  jw_str (g, "owner");
  jw_str (g, st->owner && st->owner[0] ? st->owner : "root");
  /* runc's containerState: "annotations" only when there are some. */
  if (st->annotations.n)
    {
      jw_str (g, "annotations");
      yajl_gen_map_open (g);
      for (size_t i = 0; i < st->annotations.n; i++)
        jw_kv (g, st->annotations.v[i].key, st->annotations.v[i].value);
      yajl_gen_map_close (g);
    }
  if (e->reason)
    jw_kv (g, "reason", e->reason);
  yajl_gen_map_close (g);
}

char *
list_json_encode (const struct list_entry *entries, size_t n, size_t *len, tr_error_t *err)
{
  yajl_gen g = jw_new (false, "list", err);
  if (g == NULL)
    return NULL;
  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    gen_entry (g, &entries[i]);
  yajl_gen_array_close (g);
  return jw_finish (g, len, "list", err);
}
