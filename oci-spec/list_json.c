#include "config.h"
#include "oci-spec/list_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#define OCI_VERSION "1.2.0"

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) (s ? s : ""), s ? strlen (s) : 0);
}

static void
gen_entry (yajl_gen g, const struct list_entry *e)
{
  const struct container_state *st = e->st;
  yajl_gen_map_open (g);
  gen_str (g, "ociVersion");
  gen_str (g, OCI_VERSION);
  gen_str (g, "id");
  gen_str (g, st->id);
  gen_str (g, "pid");
  yajl_gen_integer (g, e->pid);
  gen_str (g, "status");
  gen_str (g, e->status);
  gen_str (g, "bundle");
  gen_str (g, st->bundle);
  gen_str (g, "rootfs");
  gen_str (g, st->rootfs);
  gen_str (g, "created");
  gen_str (g, st->created);
  gen_str (g, "owner");
  gen_str (g, st->owner && st->owner[0] ? st->owner : "root");
  yajl_gen_map_close (g);
}

char *
list_json_encode (const struct list_entry *entries, size_t n, size_t *len, tr_error_t *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    {
      tr_error (err, ENOMEM, "list");
      return NULL;
    }
  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    gen_entry (g, &entries[i]);
  yajl_gen_array_close (g);
  const unsigned char *buf;
  size_t blen;
  char *out = NULL;
  if (yajl_gen_get_buf (g, &buf, &blen) == yajl_gen_status_ok)
    out = strndup ((const char *) buf, blen);
  yajl_gen_free (g);
  if (out == NULL)
    tr_error (err, ENOMEM, "list");
  else if (len)
    *len = blen;
  return out;
}
