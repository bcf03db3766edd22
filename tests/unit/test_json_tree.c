#include "unit.h"
#include "oci-spec/json_tree.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* The same tree, node by node, as yajl_tree_parse's. */
static bool
same (yajl_val a, yajl_val b)
{
  if (a == NULL || b == NULL || a->type != b->type)
    return a == b;
  switch (a->type)
    {
    case yajl_t_string:
      return strcmp (a->u.string, b->u.string) == 0;
    case yajl_t_number:
      /* i too where it is not valid: yajl's clamp */
      return strcmp (a->u.number.r, b->u.number.r) == 0 && a->u.number.flags == b->u.number.flags
             && a->u.number.i == b->u.number.i
             && (a->u.number.d == b->u.number.d || (isnan (a->u.number.d) && isnan (b->u.number.d)));
    case yajl_t_object:
      if (a->u.object.len != b->u.object.len || (a->u.object.keys == NULL) != (b->u.object.keys == NULL)
          || (a->u.object.values == NULL) != (b->u.object.values == NULL))
        return false;
      for (size_t i = 0; i < a->u.object.len; i++)
        if (strcmp (a->u.object.keys[i], b->u.object.keys[i]) != 0 || !same (a->u.object.values[i], b->u.object.values[i]))
          return false;
      return true;
    case yajl_t_array:
      if (a->u.array.len != b->u.array.len || (a->u.array.values == NULL) != (b->u.array.values == NULL))
        return false;
      for (size_t i = 0; i < a->u.array.len; i++)
        if (!same (a->u.array.values[i], b->u.array.values[i]))
          return false;
      return true;
    default:
      return true;
    }
}

static bool
matches_yajl_tree (const char *text)
{
  char e1[256] = "", e2[256] = "";
  yajl_val mine = json_tree_parse (text, strlen (text), e1, sizeof e1);
  yajl_val theirs = yajl_tree_parse (text, e2, sizeof e2);
  bool ok = (mine == NULL) == (theirs == NULL) && (mine == NULL ? strcmp (e1, e2) == 0 : same (mine, theirs));
  if (!ok)
    fprintf (stderr, "  differs from yajl_tree_parse: %s\n  (%s | %s)\n", text, e1, e2);
  json_tree_free (mine);
  yajl_tree_free (theirs);
  return ok;
}

/* json_tree_parse gives what yajl_tree_parse gives (oci-spec/json_tree.h):
 * types, key order and duplicates, strings with escapes, every kind of
 * number with its INT/DOUBLE validity (an integer that overflows, LLONG_MIN,
 * fractions, exponents), comments, and the same errors. */
TEST (json_tree_is_yajl_tree)
{
  static const char *const docs[] = {
    "{}",
    "[]",
    "{\"a\":{},\"b\":[],\"c\":[[],{}]}",
    "{\"k\":\"v\",\"k\":\"again\",\"n\":null,\"t\":true,\"f\":false}",
    "{\"s\":\"\\u00e9\\n\\t\\\"\\\\\\/x\",\"empty\":\"\"}",
    "{\"i\":0,\"neg\":-12,\"big\":9223372036854775807,\"over\":9223372036854775808,"
    "\"min\":-9223372036854775808,\"frac\":1.5,\"negfrac\":-0.5,\"exp\":1e3,\"negexp\":-2.5E-3,"
    "\"huge\":1e400,\"long\":92233720368547758079}",
    "[1,[2,[3,[4,{\"deep\":[5]}]]],\"x\",null]",
    "/* a comment */ {\"a\": 1 // another\n}",
    "\"just a string\"",
    "42",
    "{\"unterminated\": ",
    "{\"a\":1,}",
    "{\"a\":1} trailing",
    "[1 2]",
    "",
  };
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
    CHECK (matches_yajl_tree (docs[i]));
}

/* The bench bundle's config.json, whole. */
TEST (json_tree_of_a_config)
{
  FILE *f = fopen ("tests/fuzz/seeds/config.json", "re");
  CHECK (f != NULL);
  if (f == NULL)
    return;
  static char text[65536];
  size_t n = fread (text, 1, sizeof text - 1, f);
  fclose (f);
  text[n] = '\0';
  CHECK (n > 0 && matches_yajl_tree (text));
}
