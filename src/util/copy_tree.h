/* Copying a directory tree between two open directories (for the
 * "tmpcopyup" mount option: a tmpfs that starts with the content of the
 * directory it covers, as podman's --read-only relies on). */
#ifndef TINYRUN_COPY_TREE_H
#define TINYRUN_COPY_TREE_H

#include "util/error.h"

/* Copy everything in from_dir into to_dir: directories, regular files,
 * symlinks and device nodes, with modes and owners.  Never follows a
 * symlink. */
int copy_tree (int from_dir, int to_dir, tr_error_t *err);

#endif
