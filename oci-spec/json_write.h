/* Writing JSON with yajl_gen: the pieces every encoder in oci-spec/ shares. */
#ifndef TINYRUN_JSON_WRITE_H
#define TINYRUN_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "util/error.h"

/* A generator; `what` names the document in the ENOMEM error. */
yajl_gen jw_new (bool beautify, const char *what, tr_error_t *err);

/* A string (NULL writes ""). */
void jw_str (yajl_gen g, const char *s);
/* "key": "value" inside an open map (a NULL value writes ""). */
void jw_kv (yajl_gen g, const char *key, const char *value);

/* The document as a NUL-terminated copy (its length in *len when len is
 * not NULL); frees g either way. */
char *jw_finish (yajl_gen g, size_t *len, const char *what, tr_error_t *err);

#endif
