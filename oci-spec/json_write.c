#include "config.h"
#include "oci-spec/json_write.h"

#include <errno.h>
#include <string.h>

yajl_gen
jw_new (bool beautify, const char *what, tr_error_t *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    {
      tr_error (err, ENOMEM, "%s", what);
      return NULL;
    }
  if (beautify)
    yajl_gen_config (g, yajl_gen_beautify, 1);
  return g;
}

void
jw_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) (s ? s : ""), s ? strlen (s) : 0);
}

void
jw_kv (yajl_gen g, const char *key, const char *value)
{
  jw_str (g, key);
  jw_str (g, value);
}

char *
jw_finish (yajl_gen g, size_t *len, const char *what, tr_error_t *err)
{
  const unsigned char *buf;
  size_t n;
  char *out = NULL;
  if (yajl_gen_get_buf (g, &buf, &n) == yajl_gen_status_ok)
    out = strndup ((const char *) buf, n);
  yajl_gen_free (g);
  if (out == NULL)
    tr_error (err, ENOMEM, "%s", what);
  else if (len)
    *len = n;
  return out;
}
