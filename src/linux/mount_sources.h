/* Bind sources opened with the runtime's rights (runc's "mount source
 * fds").  An init born in a new user namespace walks host paths as the
 * namespace's root, an unprivileged uid on the host: a source inside a
 * 0700 directory of host root is out of its reach.  The runtime opens the
 * sources instead, as host root but inside the init's mount namespace (so
 * that the init can clone them with open_tree), and hands the fds down.
 *
 * Wiring (runtime side, after the init exists, before SYNC_PARENT_READY):
 *   mount_sources_open (spec, bundle, init_pid, &sources, err);
 *   then one message per fd >= 0: (index i, sources.fds[i]);
 * init side: mount_sources_alloc() in the init, mount_sources_take() per
 * message, and struct mount_context's `sources` pointing at the result.
 *
 * An idmapped entry (linux/idmap_mount.h) gets no O_PATH fd but the
 * detached idmapped mount itself, made here, with host rights: the init
 * attaches it.  Then the wiring runs without a user namespace too. */
#ifndef TINYRUN_MOUNT_SOURCES_H
#define TINYRUN_MOUNT_SOURCES_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"
#include "oci-spec/spec.h"

struct mount_sources
{
  int *fds; /* one per spec->mounts entry: an O_PATH fd on its bind source (a
             * detached mount for an idmapped entry), or -1 */
  size_t n;
};

/* n entries, all -1. */
int mount_sources_alloc (struct mount_sources *s, size_t n, tr_error_t *err);

/* Keep fd as the source of mounts[index] (closed if index is out of range). */
void mount_sources_take (struct mount_sources *s, size_t index, int fd);

/* O_PATH fds on the source of every bind entry of spec->mounts, resolved
 * in the mount namespace of process `pid` (through /proc/<pid>/root, its
 * root standing for "/"), with the caller's rights.  Relative sources are
 * relative to bundle. */
int mount_sources_open (const struct spec *spec, const char *bundle, pid_t pid, struct mount_sources *out,
                        tr_error_t *err);

/* The fd of mounts[index]'s source, or -1 (then the init opens it). */
int mount_sources_get (const struct mount_sources *s, size_t index);

void mount_sources_close (struct mount_sources *s);

#define cleanup_mount_sources __attribute__ ((cleanup (mount_sources_close)))

#endif
