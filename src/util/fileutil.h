/* Small file helpers used across tinyrun (host paths, not rootfs paths:
 * for those see fs_safe.h). */
#ifndef TINYRUN_FILEUTIL_H
#define TINYRUN_FILEUTIL_H

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* The running binary (readlink of /proc/self/exe) split in place: `dir`
 * holds its directory, "" for "/", and `name` points at its file name
 * inside the same buffer. */
struct self_exe
{
  char dir[PATH_MAX];
  const char *name;
};
int self_exe_split (struct self_exe *exe, tr_error_t *err);

/* Write all of buf to fd, retrying on EINTR and short writes. */
int write_all_fd (int fd, const void *buf, size_t len, tr_error_t *err);

/* Open dirfd/name (dirfd may be AT_FDCWD) for writing, write text, close.
 * No O_CREAT: meant for /proc, /sys and cgroup files. */
int write_file_at (int dirfd, const char *name, const char *text, tr_error_t *err);

/* Write text to dirfd/name atomically: a temporary file in the same
 * directory, fsync-free (state lives on tmpfs), then rename over. */
int write_file_atomic_at (int dirfd, const char *name, const char *text, size_t len, mode_t mode, tr_error_t *err);

/* Read a whole file (at most 16 MiB) into a NUL-terminated buffer. */
char *read_file_at (int dirfd, const char *name, size_t *len, tr_error_t *err);
/* The same from an open fd (a pipe: stdin) to its end; name for errors. */
char *read_fd_all (int fd, const char *name, size_t *len, tr_error_t *err);

/* Read a document a user handed us (config.json, --process FILE): opened
 * with O_NONBLOCK (a FIFO does not block the open), it must be a regular
 * file (fstat of the opened fd, so a symlink to one is fine, one to
 * /dev/zero is not), and at most max bytes are accepted (max + 1 are read
 * at most).  Errors name `what`. */
char *read_regular_file_at (int dirfd, const char *name, const char *what, size_t max, size_t *len,
                            tr_error_t *err);

/* The same on an fd already open (e.g. through fs_safe). */
char *read_regular_fd (int fd, const char *what, size_t max, size_t *len, tr_error_t *err);

/* mkdir -p for host paths. */
int mkdir_p (const char *path, mode_t mode, tr_error_t *err);

/* Absolute, lexically clean version of path (relative to cwd). */
char *make_absolute (const char *path, tr_error_t *err);

/* Join two path pieces with exactly one '/'; caller frees. */
char *path_join (const char *a, const char *b);

bool file_exists_at (int dirfd, const char *name);

/* --pid-file: the pid in decimal, written atomically (engines poll it). */
int write_pid_file (const char *path, pid_t pid, tr_error_t *err);

#endif
