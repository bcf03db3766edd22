#include "config.h"
#include "oci-spec/json_tree.h"
#include "oci-spec/arena.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* The root first: json_tree_free finds the arena from it. */
struct json_doc
{
  struct yajl_val_s root;
  struct arena arena;
};

/* A child of an open object or array, until its container ends. */
struct entry
{
  const char *key; /* NULL in an array */
  yajl_val value;
};

struct frame
{
  yajl_val node;
  size_t first;    /* its first entry */
  const char *key; /* its own key in the object around it */
};

struct builder
{
  struct arena *arena;
  struct entry *entries; /* of all the open containers, innermost last */
  size_t n_entries, cap_entries;
  struct frame *frames;
  size_t n_frames, cap_frames;
  const char *key; /* the last key of the innermost open object */
  yajl_val root;
  bool out_of_memory;
};

/* v with room for `need` elements (twice as many when it had to grow), or
 * NULL and out_of_memory when memory ran out (v is then still valid, *cap
 * unchanged). */
static void *
room_for (struct builder *b, void *v, size_t *cap, size_t need, size_t elem)
{
  if (need <= *cap)
    return v;
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need)
    n *= 2;
  void *p = realloc (v, n * elem);
  if (p != NULL)
    *cap = n;
  else
    b->out_of_memory = true;
  return p;
}

/* size zeroed bytes of the arena; NULL (and out_of_memory) when it ran out. */
static void *
take (struct builder *b, size_t size)
{
  void *p = arena_alloc (b->arena, size);
  if (p == NULL)
    b->out_of_memory = true;
  return p;
}

static yajl_val
node (struct builder *b, yajl_type type)
{
  yajl_val v = take (b, sizeof *v);
  if (v)
    v->type = type;
  return v;
}

static char *
copy (struct builder *b, const void *s, size_t len)
{
  char *p = take (b, len + 1);
  if (p == NULL)
    return NULL;
  memcpy (p, s, len);
  p[len] = '\0';
  return p;
}

static const char *
take_key (struct builder *b)
{
  const char *k = b->key;
  b->key = NULL;
  return k;
}

/* A complete value: the root, or the next child of the innermost open
 * container. */
static int
add (struct builder *b, yajl_val v, const char *key)
{
  if (v == NULL)
    return 0;
  if (b->n_frames == 0)
    {
      b->root = v;
      return 1;
    }
  struct entry *entries = room_for (b, b->entries, &b->cap_entries, b->n_entries + 1, sizeof *entries);
  if (entries == NULL)
    return 0;
  b->entries = entries;
  b->entries[b->n_entries++] = (struct entry){ key, v };
  return 1;
}

static int
on_null (void *ctx)
{
  struct builder *b = ctx;
  return add (b, node (b, yajl_t_null), take_key (b));
}

static int
on_boolean (void *ctx, int value)
{
  struct builder *b = ctx;
  return add (b, node (b, value ? yajl_t_true : yajl_t_false), take_key (b));
}

/* yajl_parse_integer's rule, as yajl_tree applies it: digits only, an
 * optional sign, no overflow (so LLONG_MIN itself is not valid); where it
 * is not an integer, *out is yajl's clamp, LLONG_MAX or LLONG_MIN. */
static bool
parse_integer (const char *s, long long *out)
{
  long long sign = 1, v = 0;
  if (*s == '-')
    {
      sign = -1;
      s++;
    }
  else if (*s == '+')
    s++;
  for (; *s; s++)
    {
      if (*s < '0' || *s > '9' || v > LLONG_MAX / 10 || LLONG_MAX - v * 10 < *s - '0')
        {
          *out = sign == 1 ? LLONG_MAX : LLONG_MIN;
          return false;
        }
      v = v * 10 + (*s - '0');
    }
  *out = sign * v;
  return true;
}

static int
on_number (void *ctx, const char *text, size_t len)
{
  struct builder *b = ctx;
  yajl_val v = node (b, yajl_t_number);
  char *r = v ? copy (b, text, len) : NULL;
  if (r == NULL)
    return 0;
  v->u.number.r = r;
  v->u.number.flags = 0;
  if (parse_integer (r, &v->u.number.i))
    v->u.number.flags |= YAJL_NUMBER_INT_VALID;
  char *end = NULL;
  errno = 0;
  v->u.number.d = strtod (r, &end);
  if (errno == 0 && end != NULL && *end == '\0')
    v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
  return add (b, v, take_key (b));
}

static int
on_string (void *ctx, const unsigned char *text, size_t len)
{
  struct builder *b = ctx;
  yajl_val v = node (b, yajl_t_string);
  if (v == NULL || (v->u.string = copy (b, text, len)) == NULL)
    return 0;
  return add (b, v, take_key (b));
}

static int
on_key (void *ctx, const unsigned char *text, size_t len)
{
  struct builder *b = ctx;
  b->key = copy (b, text, len);
  return b->key != NULL;
}

static int
open_container (struct builder *b, yajl_type type)
{
  yajl_val v = node (b, type);
  if (v == NULL)
    return 0;
  struct frame *frames = room_for (b, b->frames, &b->cap_frames, b->n_frames + 1, sizeof *frames);
  if (frames == NULL)
    return 0;
  b->frames = frames;
  b->frames[b->n_frames++] = (struct frame){ v, b->n_entries, take_key (b) };
  return 1;
}

/* Its children from the entries into the arena, then the container itself
 * into the one around it. */
static int
close_container (struct builder *b)
{
  struct frame f = b->frames[--b->n_frames];
  size_t n = b->n_entries - f.first;
  if (n == 0) /* yajl_tree's empty object or array: NULL arrays */
    {
      b->n_entries = f.first;
      return add (b, f.node, f.key);
    }
  const struct entry *e = b->entries + f.first;
  yajl_val *values = take (b, n * sizeof *values);
  if (values == NULL)
    return 0;
  for (size_t i = 0; i < n; i++)
    values[i] = e[i].value;
  if (f.node->type == yajl_t_object)
    {
      const char **keys = take (b, n * sizeof *keys);
      if (keys == NULL)
        return 0;
      for (size_t i = 0; i < n; i++)
        keys[i] = e[i].key;
      f.node->u.object.keys = keys;
      f.node->u.object.values = values;
      f.node->u.object.len = n;
    }
  else
    {
      f.node->u.array.values = values;
      f.node->u.array.len = n;
    }
  b->n_entries = f.first;
  return add (b, f.node, f.key);
}

static int
on_start_map (void *ctx)
{
  return open_container (ctx, yajl_t_object);
}

static int
on_start_array (void *ctx)
{
  return open_container (ctx, yajl_t_array);
}

static int
on_end (void *ctx)
{
  return close_container (ctx);
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_key,
  .yajl_end_map = on_end,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end,
};

static bool
run_parser (struct builder *b, const char *text, size_t len, char *errbuf, size_t errbuf_size)
{
  yajl_handle h = yajl_alloc (&callbacks, NULL, b);
  if (h == NULL)
    return false; /* errbuf stays empty: out of memory */
  yajl_config (h, yajl_allow_comments, 1);
  /* As yajl_tree_parse: the end of the input is parsed whatever the
   * status before (its message then points where yajl_tree's does). */
  (void) yajl_parse (h, (const unsigned char *) text, len);
  yajl_status st = yajl_complete_parse (h);
  bool ok = st == yajl_status_ok && b->root != NULL;
  if (!ok && !b->out_of_memory)
    {
      unsigned char *msg = yajl_get_error (h, 1, (const unsigned char *) text, len);
      snprintf (errbuf, errbuf_size, "%s", msg ? (const char *) msg : "parse error");
      if (msg)
        yajl_free_error (h, msg);
    }
  yajl_free (h);
  return ok;
}

yajl_val
json_tree_parse (const char *text, size_t len, char *errbuf, size_t errbuf_size)
{
  if (errbuf_size > 0)
    errbuf[0] = '\0';
  struct json_doc *doc = calloc (1, sizeof *doc);
  if (doc == NULL)
    return NULL;
  struct builder b = { .arena = &doc->arena };
  bool ok = run_parser (&b, text, len, errbuf, errbuf_size);
  free (b.entries);
  free (b.frames);
  if (!ok)
    {
      json_tree_free (&doc->root);
      return NULL;
    }
  doc->root = *b.root;
  return &doc->root;
}

void
json_tree_free (yajl_val root)
{
  if (root == NULL)
    return;
  struct json_doc *doc = (struct json_doc *) root;
  arena_free (&doc->arena);
  free (doc);
}
