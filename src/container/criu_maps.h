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

/* process.terminal.  Dump: the init's pty (its fd 0) is an external tty,
 * its master being outside the container, and /dev/console (bound from
 * it) an external mount; its criu name "tty[RDEV:DEV]" is kept in the
 * image directory's CRIU_TTY_FILE.  Restore: the new pty's slave (an fd,
 * and its host path for /dev/console) stands for that tty. */
#define CRIU_TTY_FILE "tty.info"
int criu_maps_terminal_dump (struct criu_maps *m, pid_t pid, int image_fd, tr_error_t *err);
int criu_maps_terminal_restore (struct criu_maps *m, int image_fd, int slave, const char *slave_path,
                                tr_error_t *err);

/* Add an --external (value NULL: none) or an --inherit-fd; the strings are
 * copied. */
int criu_maps_external (struct criu_maps *m, const char *kind, const char *key, const char *value, tr_error_t *err);
int criu_maps_inherit (struct criu_maps *m, int fd, const char *key, tr_error_t *err);

/* Before a restore, as runc's prepareCriuRestoreMounts: the mount points
 * of config.json's mounts that a fresh rootfs lacks are made (a directory,
 * or a file for a bind mount of one), except for cgroup mounts and those
 * below a tmpfs or a bind mount of the config (criu restores a tmpfs with
 * its contents; a bind mount's mount points are in its source, where
 * create made them).  (criu_mountpoints.c) */
int criu_restore_mountpoints (const struct spec *spec, const char *bundle, const char *rootfs, tr_error_t *err);

/* The CRIU_* flags of the common options. */
unsigned criu_flags_of (const struct criu_common_options *c);

/* The image and work directories (absolute), made when missing. */
int criu_dirs (const struct criu_common_options *c, char **image, char **work, tr_error_t *err);

void criu_maps_clear (struct criu_maps *m);
#define cleanup_criu_maps __attribute__ ((cleanup (criu_maps_clear)))

#endif
