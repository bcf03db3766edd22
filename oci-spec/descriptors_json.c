#include "config.h"
#include "oci-spec/descriptors_json.h"
#include "oci-spec/json_write.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

char *
descriptors_json_encode (char *const fds[DESCRIPTORS_N], size_t *len, tr_error_t *err)
{
  yajl_gen g = jw_new (false, DESCRIPTORS_FILE, err);
  if (g == NULL)
    return NULL;
  yajl_gen_array_open (g);
  for (size_t i = 0; i < DESCRIPTORS_N; i++)
    jw_str (g, fds[i]);
  yajl_gen_array_close (g);
  return jw_finish (g, len, DESCRIPTORS_FILE, err);
}

int
descriptors_json_decode (const char *text, size_t len, char *fds[DESCRIPTORS_N], tr_error_t *err)
{
  for (size_t i = 0; i < DESCRIPTORS_N; i++)
    fds[i] = NULL;
  cleanup_free char *copy = strndup (text, len);
  if (copy == NULL)
    return tr_error (err, ENOMEM, DESCRIPTORS_FILE);
  char errbuf[256] = "";
  yajl_val tree = yajl_tree_parse (copy, errbuf, sizeof errbuf);
  if (tree == NULL)
    return tr_error_plain (err, EINVAL, DESCRIPTORS_FILE ": %s", errbuf);
  int ret = 0;
  if (!YAJL_IS_ARRAY (tree))
    ret = tr_error_plain (err, EINVAL, DESCRIPTORS_FILE ": not an array");
  for (size_t i = 0; ret == 0 && i < DESCRIPTORS_N && i < YAJL_GET_ARRAY (tree)->len; i++)
    {
      yajl_val v = YAJL_GET_ARRAY (tree)->values[i];
      const char *sv = YAJL_IS_STRING (v) ? v->u.string : NULL;
      if (sv == NULL)
        ret = tr_error_plain (err, EINVAL, DESCRIPTORS_FILE "[%zu]: not a string", i);
      else if ((fds[i] = strdup (sv)) == NULL)
        ret = tr_error (err, ENOMEM, DESCRIPTORS_FILE);
    }
  yajl_tree_free (tree);
  if (ret < 0)
    for (size_t i = 0; i < DESCRIPTORS_N; i++)
      free (steal_ptr (&fds[i]));
  return ret;
}
