/* linux.maskedPaths and linux.readonlyPaths, applied after pivot_root. */
#ifndef TINYRUN_PATHS_H
#define TINYRUN_PATHS_H

#include "util/error.h"
#include "oci-spec/spec.h"

/* Masked directories get one empty read-only tmpfs, mounted on the first
 * and bind-mounted onto the others; a masked file gets
 * /dev/null bound over it, after checking that /dev/null really is the
 * null device (char 1:3) and not something the image put there. */
int paths_mask (const strlist *paths, tr_error_t *err);

/* Bind each path onto itself and remount it read-only. */
int paths_make_readonly (const strlist *paths, tr_error_t *err);

#endif
