/* What criu must be told about a container's mounts and fds (runc's
 * addCriuDumpMount / addCriuRestoreMount, addMaskPaths, restoreNetwork):
 * every bind mount of config.json, the cgroup bind mounts, the /dev/null
 * that masks files and the device nodes are external mounts, named by
 * their destination; on dump the name maps to itself, on restore to the
 * host path to bind there. */
#ifndef TINYRUN_CRIU_MAPS_H
#define TINYRUN_CRIU_MAPS_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/checkpoint.h"
#include "linux/criu.h"
#include "oci-spec/spec.h"
#include "util/error.h"

struct criu_maps
{
  struct criu_external *ext;
  size_t n_ext;
  struct criu_inherit *inh;
  size_t n_inh;
  char **owned; /* every string above */
  size_t n_owned;
};

/* Dump (restore false): pid is the init, whose view decides which masked
 * paths are files.  Restore: bind sources relative to bundle, the cgroup
 * mounts from the new cgroup_path. */
int criu_maps_mounts (struct criu_maps *m, const struct spec *spec, const char *bundle, const char *cgroup_path,
                      pid_t pid, bool restore, tr_error_t *err);

/* Add an --external or an --inherit-fd; the strings are copied. */
int criu_maps_external (struct criu_maps *m, const char *kind, const char *key, const char *value, tr_error_t *err);
int criu_maps_inherit (struct criu_maps *m, int fd, const char *key, tr_error_t *err);

/* The CRIU_* flags of the common options. */
unsigned criu_flags_of (const struct criu_common_options *c);

/* The image and work directories (absolute), made when missing. */
int criu_dirs (const struct criu_common_options *c, char **image, char **work, tr_error_t *err);

void criu_maps_clear (struct criu_maps *m);
#define cleanup_criu_maps __attribute__ ((cleanup (criu_maps_clear)))

#endif
