/* Shared between the spec_parse*.c files; not part of the public API. */
#ifndef TINYRUN_SPEC_PARSE_INTERNAL_H
#define TINYRUN_SPEC_PARSE_INTERNAL_H

#include "oci-spec/json_read.h"
#include "oci-spec/spec.h"

int parse_idmaps (struct jr *r, yajl_val obj, const char *path, const char *key, idmaplist *out, tr_error_t *err);
int parse_process (struct jr *r, yajl_val o, const char *path, struct spec_process *p, tr_error_t *err);
int parse_linux (struct jr *r, yajl_val o, const char *path, struct spec_linux *l, tr_error_t *err);
int parse_resources (struct jr *r, yajl_val o, const char *path, struct spec_resources *res, tr_error_t *err);
int parse_seccomp (struct jr *r, yajl_val o, const char *path, struct spec_seccomp *s, tr_error_t *err);

int spec_rlimit_from_name (const char *name);

/* NGROUPS_MAX of Linux: setgroups() takes no more. */
#define SPEC_MAX_ADDITIONAL_GIDS 65536
/* The largest errno a seccomp SECCOMP_RET_ERRNO action can return. */
#define SPEC_MAX_ERRNO 4095

/* A device major or minor number: -1 (any) or 0..2^32-1; `key` names it. */
int check_dev_number (const opt_i64 *n, const char *path, const char *key, tr_error_t *err);

#endif
