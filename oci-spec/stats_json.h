/* The lines `tinyrun events` prints, in runc's layout:
 *   {"type":"stats","id":ID,"data":{"cpu":{"usage":{"total","kernel","user"},
 *     "throttling":{...}},"memory":{"usage":{...},"swap":{...},"raw":{...}},
 *     "pids":{"current","limit"},"blkio":{}}}
 *   {"type":"oom","id":ID} */
#ifndef TINYRUN_STATS_JSON_H
#define TINYRUN_STATS_JSON_H

#include <stddef.h>

#include "oci-spec/stats.h"
#include "util/error.h"

/* One event as a JSON object (no newline); stats is NULL for an event
 * without data ("oom").  Caller frees. */
char *stats_json_event (const char *type, const char *id, const struct container_stats *stats, size_t *len,
                        tr_error_t *err);

#endif
