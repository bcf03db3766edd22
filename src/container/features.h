/* `tinyrun features`: the runtime-spec features.md document. */
#ifndef TINYRUN_FEATURES_H
#define TINYRUN_FEATURES_H

#include "util/error.h"

/* Caller frees. */
char *features_json (tr_error_t *err);

#include <stddef.h>

/* "2.5.4": the libseccomp in use, as seccomp_version() reports it; buf. */
const char *container_seccomp_version (char *buf, size_t size);

#endif
