/* The one way into a container's root filesystem.
 *
 * A path inside the rootfs is attacker-controlled: any component may be a
 * symlink pointing at "/etc" on the host or at "../../..".  Every rootfs
 * path is therefore resolved as if the rootfs were "/": absolute symlinks
 * restart at the rootfs, ".." stops at it.  openat2(RESOLVE_IN_ROOT) does
 * that in the kernel; where openat2 is missing or filtered (ENOSYS, EPERM)
 * a userspace walk does the same one component at a time with O_NOFOLLOW,
 * keeping the fds of the directories it went through so that ".." goes
 * back to them instead of asking the kernel for a parent. */
#ifndef TINYRUN_FS_SAFE_H
#define TINYRUN_FS_SAFE_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Open `path` (absolute or relative, interpreted inside root) relative to
 * the directory fd `rootfd`.  flags are open(2) flags; O_CLOEXEC is always
 * added.  Returns an fd or -1. */
int safe_openat (int rootfd, const char *path, int flags, mode_t mode, tr_error_t *err);

/* The userspace walk, exposed so tests can call it directly. */
int safe_openat_fallback (int rootfd, const char *path, int flags, mode_t mode, tr_error_t *err);

/* Every caller (safe_openat, mkdir_all_in_root, open_mount_target) uses
 * the userspace walk instead of openat2 when forced: by this call, or by
 * TINYRUN_FS_SAFE_FALLBACK=1 in the environment (read once). */
void fs_safe_force_fallback (bool force);

/* mkdir -p inside root; returns an O_PATH fd on the final directory. */
int mkdir_all_in_root (int rootfd, const char *path, mode_t mode, tr_error_t *err);

enum mount_target_kind
{
  TARGET_DIR,
  TARGET_FILE,
};

/* Make sure `path` exists inside root (creating parents, and the final
 * component as a directory or an empty file) and return an O_PATH fd on
 * it.  An existing final component is used as it is. */
int open_mount_target (int rootfd, const char *path, enum mount_target_kind kind, tr_error_t *err);

/* "/proc/self/fd/<fd>" in buf, for syscalls that only take paths. */
const char *fd_path (int fd, char buf[static 64]);

#endif
