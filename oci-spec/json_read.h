/* Typed reads from a yajl tree that name the JSON path on error.
 *
 * Each jr_* reader looks up `key` in the object `obj` whose own path is
 * `path` ("" for the document root).  It returns 0 when the key is absent
 * (or null), 1 when it was read, and -1 with an error such as
 *   "linux.resources.memory.limit: expected an integer, got a string". */
#ifndef TINYRUN_JSON_READ_H
#define TINYRUN_JSON_READ_H

#include <yajl/yajl_tree.h>

#include "oci-spec/json_scan.h"
#include "oci-spec/json_tree.h"
#include "oci-spec/spec.h"

struct jr
{
  struct arena *arena;
};

/* "path.key", or "key" at the root. */
const char *jr_path (struct jr *r, const char *path, const char *key);
/* "path[i]" */
const char *jr_index (struct jr *r, const char *path, size_t i);

int jr_type_error (tr_error_t *err, const char *path, const char *expected, yajl_val got);

/* size zeroed bytes in the arena; NULL with ENOMEM naming path. */
void *jr_alloc (struct jr *r, size_t size, const char *path, tr_error_t *err);

/* The value under key, or NULL when absent or null. */
yajl_val jr_get (yajl_val obj, const char *key);

/* Absent → NULL, wrong type → error. */
int jr_object (struct jr *r, yajl_val obj, const char *path, const char *key, yajl_val *out, tr_error_t *err);
int jr_array (struct jr *r, yajl_val obj, const char *path, const char *key, yajl_val *out, tr_error_t *err);

int jr_string (struct jr *r, yajl_val obj, const char *path, const char *key, char **out, tr_error_t *err);
int jr_bool (struct jr *r, yajl_val obj, const char *path, const char *key, opt_bool *out, tr_error_t *err);
int jr_i64 (struct jr *r, yajl_val obj, const char *path, const char *key, opt_i64 *out, tr_error_t *err);
int jr_u64 (struct jr *r, yajl_val obj, const char *path, const char *key, opt_u64 *out, tr_error_t *err);
int jr_u32 (struct jr *r, yajl_val obj, const char *path, const char *key, uint32_t *out, tr_error_t *err);
/* Parses one element of an array of objects: `elem` is array + i,
 * `path` names the element ("mounts[3]"). */
typedef int (*jr_element_fn) (struct jr *r, yajl_val o, const char *path, void *array, size_t i, tr_error_t *err);

/* An array of objects under key: allocates *out (elem_size bytes per
 * element, plus a zeroed one at the end) in the arena, checks that every
 * element is an object and hands it to parse_one.  *n is the length. */
int jr_object_array (struct jr *r, yajl_val obj, const char *path, const char *key, size_t elem_size,
                     jr_element_fn parse_one, void *out, size_t *n, tr_error_t *err);
/* The same with elem_size taken from the type of *outp. */
#define JR_OBJECT_ARRAY(r, obj, path, key, parse_one, outp, np, err)                                         \
  jr_object_array (r, obj, path, key, sizeof **(outp), parse_one, (void *) (outp), np, err)

int jr_strlist (struct jr *r, yajl_val obj, const char *path, const char *key, strlist *out, tr_error_t *err);
/* An object whose values are all strings ("annotations", "sysctl"). */
int jr_strmap (struct jr *r, yajl_val obj, const char *path, const char *key, kvlist *out, tr_error_t *err);

/* Same readers for a value already in hand (array elements). */
int jr_value_string (struct jr *r, yajl_val v, const char *path, char **out, tr_error_t *err);
int jr_value_i64 (yajl_val v, const char *path, int64_t *out, tr_error_t *err);
int jr_value_u64 (yajl_val v, const char *path, uint64_t *out, tr_error_t *err);

/* Parse text into a tree; the error names `what` (e.g. "config.json").
 * The text is checked by json_scan() first (oci-spec/json_scan.h): at most
 * max_len bytes, JSON_MAX_DEPTH levels, no NUL byte or "\u0000".  The tree
 * is built in an arena (oci-spec/json_tree.h): free it with
 * json_tree_free(), never yajl_tree_free(). */
yajl_val jr_parse (const char *text, size_t len, const char *what, size_t max_len, tr_error_t *err);

#endif
