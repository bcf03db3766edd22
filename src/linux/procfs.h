/* Reading /proc/<pid>, and a procfs that the container cannot replace.
 *
 * CVE-2025-52881 class: after pivot_root the path "/proc" is whatever the
 * container's rootfs and mounts made of it (a symlink into a volume, a
 * bind mount of a host directory).  Every /proc access of tinyrun inside
 * the container therefore goes through procfs_open_file(): a procfs
 * instance tinyrun made itself (fsopen("proc") in the caller's pid
 * namespace; else a non-recursive clone of the /proc mount, which carries
 * no overmounts), checked to be the root of a procfs, and paths opened
 * beneath it without magic links or mount crossings, each result checked
 * to be on procfs. */
#ifndef TINYRUN_PROCFS_H
#define TINYRUN_PROCFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Field 22 of /proc/<pid>/stat (starttime, in clock ticks since boot) and
 * field 3 (state: R, S, Z, ...). */
int proc_pid_stat (pid_t pid, unsigned long long *start_time, char *state, tr_error_t *err);

/* True when pid is alive (not a zombie) and still the process that was
 * started at start_time; a recycled pid is not. */
bool proc_pid_is (pid_t pid, unsigned long long start_time);

/* An O_PATH fd (O_CLOEXEC) on the root of a procfs of the caller's pid
 * namespace, verified (PROC_SUPER_MAGIC, root inode).  The caller closes
 * it: keep it no longer than the operation that needs it, so that it can
 * never be among the fds a container process inherits. */
int procfs_open_root (tr_error_t *err);

/* Open path ("sys/net/ipv4/ip_forward", "self/oom_score_adj",
 * "thread-self/attr/exec") beneath procfd: symlinks only as procfs's own
 * "self" and "thread-self", no magic links, no other mount; the file must
 * be on procfs.  flags as for open(2); O_CLOEXEC is added. */
int procfs_open_file (int procfd, const char *path, int flags, tr_error_t *err);

/* Write text to path beneath a fresh procfs handle (opened and closed
 * here), the error naming "/proc/<path>". */
int procfs_write (const char *path, const char *text, tr_error_t *err);



/* Reopen fd (typically O_PATH) with flags, through thread-self/fd of a
 * fresh procfs handle, not through the path /proc/self/fd/N that the
 * container may have replaced: the magic link is followed for the last
 * component only.  For code that still builds "/proc/self/fd/N" strings
 * (util/fs_safe.h's fd_path, as a mount(2) source or target after
 * pivot_root): prefer the fd-based mount API (open_tree, move_mount with
 * *_EMPTY_PATH, mount_setattr with AT_EMPTY_PATH), or this. */
int procfs_reopen_fd (int fd, int flags, tr_error_t *err);

#include "oci-spec/spec.h"

/* Refuse a "proc" mount whose destination (or a directory on the way to
 * it) is a symlink in the rootfs: the kernel would follow it, and the
 * container's "/proc" would then be something else. */
int procfs_check_mount_destinations (const struct spec *spec, int rootfd, tr_error_t *err);

#endif
