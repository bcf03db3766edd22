/* `tinyrun list --format json`: an array of runc's list entries,
 *   [{"ociVersion","id","pid","status","bundle","rootfs","created","owner",
 *    "annotations" (only when the config has some)}] */
#ifndef TINYRUN_LIST_JSON_H
#define TINYRUN_LIST_JSON_H

#include <stddef.h>
#include <sys/types.h>

#include "oci-spec/state_json.h"
#include "util/error.h"

struct list_entry
{
  const struct container_state *st;
  const char *status;
  pid_t pid; /* 0 for a stopped container */
  const char *reason; /* why the status is "unknown" (NULL otherwise) */
};

/* Caller frees. */
char *list_json_encode (const struct list_entry *entries, size_t n, size_t *len, tr_error_t *err);

#endif
