#include "config.h"
#include "oci-spec/json_read.h"
#include "oci-spec/json_scan.h"
#include "oci-spec/json_tree.h"
#include "util/decimal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* path, then sep, then tail (tail_len bytes), in the arena.  Every field
 * parsed gets its path this way and most are never printed: no printf
 * (which took a third of spec_parse's time). */
static const char *
path_join_in (struct arena *a, const char *path, char sep, const char *tail, size_t tail_len)
{
  if (path == NULL)
    return NULL; /* the arena ran out for the path above */
  size_t n = strlen (path);
  char *p = arena_alloc (a, n + 1 + tail_len + 1);
  if (p == NULL)
    return NULL;
  memcpy (p, path, n);
  p[n] = sep;
  memcpy (p + n + 1, tail, tail_len);
  p[n + 1 + tail_len] = '\0';
  return p;
}

const char *
jr_path (struct jr *r, const char *path, const char *key)
{
  if (path == NULL || path[0] == '\0')
    return key;
  return path_join_in (r->arena, path, '.', key, strlen (key));
}

const char *
jr_index (struct jr *r, const char *path, size_t i)
{
  char digits[DECIMAL_MAX_DIGITS + 1];
  char *end = digits + sizeof digits;
  end[-1] = ']';
  char *d = decimal_before (end - 1, i);
  return path_join_in (r->arena, path, '[', d, (size_t) (end - d));
}

void *
jr_alloc (struct jr *r, size_t size, const char *path, tr_error_t *err)
{
  void *p = arena_alloc (r->arena, size);
  if (p == NULL)
    tr_error (err, ENOMEM, "%s", path);
  return p;
}

static const char *
type_name (yajl_val v)
{
  if (YAJL_IS_STRING (v))
    return "a string";
  if (YAJL_IS_NUMBER (v))
    return "a number";
  if (YAJL_IS_OBJECT (v))
    return "an object";
  if (YAJL_IS_ARRAY (v))
    return "an array";
  if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    return "a boolean";
  return "null";
}

int
jr_type_error (tr_error_t *err, const char *path, const char *expected, yajl_val got)
{
  if (got && YAJL_IS_STRING (got))
    return tr_error_plain (err, EINVAL, "%s: expected %s, got \"%s\"", path, expected, got->u.string);
  if (got && YAJL_IS_NUMBER (got))
    return tr_error_plain (err, EINVAL, "%s: expected %s, got %s", path, expected, got->u.number.r);
  return tr_error_plain (err, EINVAL, "%s: expected %s, got %s", path, expected, got ? type_name (got) : "nothing");
}

yajl_val
jr_get (yajl_val obj, const char *key)
{
  if (obj == NULL || !YAJL_IS_OBJECT (obj))
    return NULL;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      {
        yajl_val v = obj->u.object.values[i];
        return (v == NULL || YAJL_IS_NULL (v)) ? NULL : v;
      }
  return NULL;
}

int
jr_object (struct jr *r, yajl_val obj, const char *path, const char *key, yajl_val *out, tr_error_t *err)
{
  yajl_val v = jr_get (obj, key);
  *out = NULL;
  if (v == NULL)
    return 0;
  if (!YAJL_IS_OBJECT (v))
    return jr_type_error (err, jr_path (r, path, key), "an object", v);
  *out = v;
  return 1;
}

int
jr_array (struct jr *r, yajl_val obj, const char *path, const char *key, yajl_val *out, tr_error_t *err)
{
  yajl_val v = jr_get (obj, key);
  *out = NULL;
  if (v == NULL)
    return 0;
  if (!YAJL_IS_ARRAY (v))
    return jr_type_error (err, jr_path (r, path, key), "an array", v);
  *out = v;
  return 1;
}

int
jr_value_string (struct jr *r, yajl_val v, const char *path, char **out, tr_error_t *err)
{
  if (!YAJL_IS_STRING (v))
    return jr_type_error (err, path, "a string", v);
  *out = arena_strdup (r->arena, v->u.string);
  if (*out == NULL)
    return tr_error (err, ENOMEM, "%s", path);
  return 1;
}

int
jr_string (struct jr *r, yajl_val obj, const char *path, const char *key, char **out, tr_error_t *err)
{
  yajl_val v = jr_get (obj, key);
  if (v == NULL)
    return 0;
  return jr_value_string (r, v, jr_path (r, path, key), out, err);
}

int
jr_bool (struct jr *r, yajl_val obj, const char *path, const char *key, opt_bool *out, tr_error_t *err)
{
  yajl_val v = jr_get (obj, key);
  if (v == NULL)
    return 0;
  if (!YAJL_IS_TRUE (v) && !YAJL_IS_FALSE (v))
    return jr_type_error (err, jr_path (r, path, key), "a boolean", v);
  out->set = true;
  out->v = YAJL_IS_TRUE (v);
  return 1;
}

/* yajl keeps the literal text of every number, so integers are parsed from
 * it: this is exact for the whole int64/uint64 range, where yajl's own
 * integer conversion stops at LLONG_MAX. */
int
jr_value_i64 (yajl_val v, const char *path, int64_t *out, tr_error_t *err)
{
  if (!YAJL_IS_NUMBER (v))
    return jr_type_error (err, path, "an integer", v);
  char *end;
  errno = 0;
  long long n = strtoll (v->u.number.r, &end, 10);
  if (*end != '\0')
    return jr_type_error (err, path, "an integer", v);
  if (errno == ERANGE)
    return tr_error_plain (err, ERANGE, "%s: %s is out of range", path, v->u.number.r);
  *out = n;
  return 1;
}

int
jr_value_u64 (yajl_val v, const char *path, uint64_t *out, tr_error_t *err)
{
  if (!YAJL_IS_NUMBER (v))
    return jr_type_error (err, path, "a non-negative integer", v);
  const char *s = v->u.number.r;
  char *end;
  errno = 0;
  if (s[0] == '-')
    return tr_error_plain (err, ERANGE, "%s: expected a non-negative integer, got %s", path, s);
  unsigned long long n = strtoull (s, &end, 10);
  if (*end != '\0')
    return jr_type_error (err, path, "a non-negative integer", v);
  if (errno == ERANGE)
    return tr_error_plain (err, ERANGE, "%s: %s is out of range", path, s);
  *out = n;
  return 1;
}

int
jr_i64 (struct jr *r, yajl_val obj, const char *path, const char *key, opt_i64 *out, tr_error_t *err)
{
  yajl_val v = jr_get (obj, key);
  if (v == NULL)
    return 0;
  if (jr_value_i64 (v, jr_path (r, path, key), &out->v, err) < 0)
    return -1;
  out->set = true;
  return 1;
}

int
jr_u64 (struct jr *r, yajl_val obj, const char *path, const char *key, opt_u64 *out, tr_error_t *err)
{
  yajl_val v = jr_get (obj, key);
  if (v == NULL)
    return 0;
  if (jr_value_u64 (v, jr_path (r, path, key), &out->v, err) < 0)
    return -1;
  out->set = true;
  return 1;
}

int
jr_u32 (struct jr *r, yajl_val obj, const char *path, const char *key, uint32_t *out, tr_error_t *err)
{
  opt_u64 tmp = { 0 };
  int ret = jr_u64 (r, obj, path, key, &tmp, err);
  if (ret <= 0)
    return ret;
  if (tmp.v > UINT32_MAX)
    return tr_error_plain (err, ERANGE, "%s: %" PRIu64 " is out of range", jr_path (r, path, key), tmp.v);
  *out = (uint32_t) tmp.v;
  return 1;
}

int
jr_strlist (struct jr *r, yajl_val obj, const char *path, const char *key, strlist *out, tr_error_t *err)
{
  yajl_val arr;
  int ret = jr_array (r, obj, path, key, &arr, err);
  if (ret <= 0)
    return ret;
  const char *p = jr_path (r, path, key);
  size_t n = arr->u.array.len;
  out->v = jr_alloc (r, (n + 1) * sizeof (char *), p, err);
  if (out->v == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (jr_value_string (r, arr->u.array.values[i], jr_index (r, p, i), &out->v[i], err) < 0)
      return -1;
  out->n = n;
  return 1;
}

int
jr_object_array (struct jr *r, yajl_val obj, const char *path, const char *key, size_t elem_size,
                 jr_element_fn parse_one, void *out, size_t *n, tr_error_t *err)
{
  yajl_val arr;
  int ret = jr_array (r, obj, path, key, &arr, err);
  if (ret <= 0)
    return ret;
  const char *p = jr_path (r, path, key);
  size_t len = arr->u.array.len;
  char *v = jr_alloc (r, (len + 1) * elem_size, p, err);
  if (v == NULL)
    return -1;
  /* out points to a T *: store through memcpy, whatever T is. */
  memcpy (out, &v, sizeof v);
  *n = len;
  for (size_t i = 0; i < len; i++)
    {
      yajl_val o = arr->u.array.values[i];
      const char *ip = jr_index (r, p, i);
      if (!YAJL_IS_OBJECT (o))
        return jr_type_error (err, ip, "an object", o);
      if (parse_one (r, o, ip, v, i, err) < 0)
        return -1;
    }
  return 1;
}

int
jr_strmap (struct jr *r, yajl_val obj, const char *path, const char *key, kvlist *out, tr_error_t *err)
{
  yajl_val map;
  int ret = jr_object (r, obj, path, key, &map, err);
  if (ret <= 0)
    return ret;
  const char *p = jr_path (r, path, key);
  size_t n = map->u.object.len;
  out->v = jr_alloc (r, (n + 1) * sizeof *out->v, p, err);
  if (out->v == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const char *k = map->u.object.keys[i];
      out->v[i].key = arena_strdup (r->arena, k);
      if (out->v[i].key == NULL)
        return tr_error (err, ENOMEM, "%s", p);
      if (jr_value_string (r, map->u.object.values[i], jr_path (r, p, k), &out->v[i].value, err) < 0)
        return -1;
    }
  out->n = n;
  return 1;
}

yajl_val
jr_parse (const char *text, size_t len, const char *what, size_t max_len, tr_error_t *err)
{
  char errbuf[512] = "";
  if (json_scan (text, len, what, max_len, err) < 0)
    return NULL;
  yajl_val tree = json_tree_parse (text, len, errbuf, sizeof errbuf);
  if (tree == NULL && errbuf[0] == '\0')
    {
      tr_error (err, ENOMEM, "parse %s", what);
      return NULL;
    }
  if (tree == NULL)
    {
      /* yajl's message spans several lines; the first one says what. */
      char *nl = strchr (errbuf, '\n');
      if (nl)
        *nl = '\0';
      tr_error_plain (err, EINVAL, "%s: invalid JSON: %s", what, errbuf[0] ? errbuf : "parse error");
      return NULL;
    }
  if (!YAJL_IS_OBJECT (tree))
    {
      json_tree_free (tree);
      tr_error_plain (err, EINVAL, "%s: expected a JSON object at the top level", what);
      return NULL;
    }
  return tree;
}
