/* descriptors.json in a checkpoint's image directory, as runc writes it:
 * what the init's fds 0, 1 and 2 were ("pipe:[1234]", "/dev/null"), so
 * that restore can hand new pipes to criu in their place. */
#ifndef TINYRUN_DESCRIPTORS_JSON_H
#define TINYRUN_DESCRIPTORS_JSON_H

#include <stddef.h>

#include "util/error.h"

#define DESCRIPTORS_FILE "descriptors.json"
#define DESCRIPTORS_N 3

/* ["...","...","..."]; caller frees. */
char *descriptors_json_encode (char *const fds[DESCRIPTORS_N], size_t *len, tr_error_t *err);
/* Fills fds[0..2] (caller frees each; a missing entry is NULL). */
int descriptors_json_decode (const char *text, size_t len, char *fds[DESCRIPTORS_N], tr_error_t *err);

#endif
