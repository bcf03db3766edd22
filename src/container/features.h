/* `tinyrun features`: the runtime-spec features.md document. */
#ifndef TINYRUN_FEATURES_H
#define TINYRUN_FEATURES_H

#include "util/error.h"

/* Caller frees. */
char *features_json (tr_error_t *err);

#endif
