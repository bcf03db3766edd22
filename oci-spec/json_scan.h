/* A cheap pass over JSON text before yajl builds a tree from it.
 *
 * yajl_tree recurses once per nesting level (a document nested 300,000
 * levels deep overflows the stack), keeps no string lengths (a "\u0000"
 * escape silently cuts a string short) and reads its input only up to the
 * first NUL byte.  json_scan refuses all of these up front, and bounds the
 * size of the tree, so that the tree built afterwards is small and every
 * string in it is whole.  Errors are one line naming the document and,
 * where there is one, the JSON path:
 *   "config.json: nested deeper than 128 levels"
 *   "config.json: process.env[3]: contains a NUL character" */
#ifndef TINYRUN_JSON_SCAN_H
#define TINYRUN_JSON_SCAN_H

#include <stddef.h>

#include "util/error.h"

#define JSON_MAX_DEPTH 128
/* Values (array elements, object members, containers) in one document. */
#define JSON_MAX_VALUES (1u << 20)
/* Bytes of one string or key, escapes included. */
#define JSON_MAX_STRING (1u << 20)
/* Whole documents: config.json and those that carry a copy of its
 * annotations (state.json, the state on a hook's stdin); the documents of
 * `exec --process` and `update --resources`. */
#define JSON_MAX_CONFIG (16u << 20)
#define JSON_MAX_SMALL (1u << 20)

int json_scan (const char *text, size_t len, const char *what, size_t max_len, tr_error_t *err);

#endif
