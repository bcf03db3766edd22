/* Raw wrappers for the syscalls that glibc 2.36 does not wrap, or wraps
 * behind headers that clash with <linux/mount.h>.  Everything is named
 * sys_* so it never collides with a libc declaration.
 *
 * And the seam between the container's init and the kernel: the calls
 * that src/init makes itself go through the table `tr_sys`, which a unit
 * test replaces with one that records them (tests/unit/test_init_order.c;
 * the mechanisms of src/linux are behind init/init_ops.h). */
#ifndef TINYRUN_SYSCALLS_H
#define TINYRUN_SYSCALLS_H

#include <linux/sched.h> /* struct clone_args */
#include <stdint.h>
#include <sys/syscall.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

/* statx(2): glibc's wrapper, or the raw call where the libc has none
 * (musl before 1.2.5: its <sys/stat.h> then defines no STATX_TYPE). */
#include <sys/stat.h>
#if !defined __GLIBC__ && !defined STATX_TYPE
#include <linux/stat.h>
static inline int
statx (int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)
{
  return (int) syscall (SYS_statx, dirfd, path, flags, mask, buf);
}
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* openat2(2) */
struct tr_open_how
{
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};
#define TR_RESOLVE_NO_XDEV 0x01
#define TR_RESOLVE_NO_MAGICLINKS 0x02
#define TR_RESOLVE_NO_SYMLINKS 0x04
#define TR_RESOLVE_BENEATH 0x08
#define TR_RESOLVE_IN_ROOT 0x10

/* open_tree(2) / move_mount(2) / mount_setattr(2) */
#define TR_OPEN_TREE_CLONE 1
#define TR_OPEN_TREE_CLOEXEC 02000000
#define TR_MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define TR_MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#define TR_MOUNT_ATTR_IDMAP 0x00100000
#define TR_AT_RECURSIVE 0x8000

struct tr_mount_attr
{
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

static inline pid_t
sys_clone3 (struct clone_args *args)
{
  return (pid_t) syscall (SYS_clone3, args, sizeof *args);
}

/* fork-like clone: the child continues on a copy of the caller's stack. */
static inline pid_t
sys_clone (unsigned long flags)
{
  return (pid_t) syscall (SYS_clone, flags, NULL, NULL, NULL, NULL);
}

static inline int
sys_pivot_root (const char *new_root, const char *put_old)
{
  return (int) syscall (SYS_pivot_root, new_root, put_old);
}

static inline int
sys_openat2 (int dirfd, const char *path, struct tr_open_how *how)
{
  return (int) syscall (SYS_openat2, dirfd, path, how, sizeof *how);
}

static inline int
sys_close_range (unsigned first, unsigned last, unsigned flags)
{
  return (int) syscall (SYS_close_range, first, last, flags);
}

static inline int
sys_pidfd_open (pid_t pid, unsigned flags)
{
  return (int) syscall (SYS_pidfd_open, pid, flags);
}

static inline int
sys_pidfd_send_signal (int pidfd, int sig, void *info, unsigned flags)
{
  return (int) syscall (SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int
sys_open_tree (int dirfd, const char *path, unsigned flags)
{
  return (int) syscall (SYS_open_tree, dirfd, path, flags);
}

static inline int
sys_move_mount (int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned flags)
{
  return (int) syscall (SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

static inline int
sys_mount_setattr (int dirfd, const char *path, unsigned flags, struct tr_mount_attr *attr)
{
  return (int) syscall (SYS_mount_setattr, dirfd, path, flags, attr, sizeof *attr);
}

/* ---- the new mount API: detached mounts, set up by fd, then attached --- */
#define TR_AT_EMPTY_PATH 0x1000
#define TR_OPEN_TREE_CLONE_FLAGS (TR_OPEN_TREE_CLONE | TR_OPEN_TREE_CLOEXEC)
#define TR_MOUNT_ATTR_RDONLY 0x00000001
#define TR_MOUNT_ATTR_NOSUID 0x00000002
#define TR_MOUNT_ATTR_NODEV 0x00000004
#define TR_MOUNT_ATTR_NOEXEC 0x00000008
#define TR_MOUNT_ATTR__ATIME 0x00000070
#define TR_MOUNT_ATTR_RELATIME 0x00000000
#define TR_MOUNT_ATTR_NOATIME 0x00000010
#define TR_MOUNT_ATTR_STRICTATIME 0x00000020
#define TR_MOUNT_ATTR_NODIRATIME 0x00000080
#define TR_MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#define TR_FSOPEN_CLOEXEC 0x00000001
#define TR_FSMOUNT_CLOEXEC 0x00000001
#define TR_FSCONFIG_SET_FLAG 0
#define TR_FSCONFIG_SET_STRING 1
#define TR_FSCONFIG_CMD_CREATE 6

static inline int
sys_fsopen (const char *fstype, unsigned flags)
{
  return (int) syscall (SYS_fsopen, fstype, flags);
}

static inline int
sys_fsconfig (int fd, unsigned cmd, const char *key, const void *value, int aux)
{
  return (int) syscall (SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int
sys_fsmount (int fd, unsigned flags, unsigned attr_flags)
{
  return (int) syscall (SYS_fsmount, fd, flags, attr_flags);
}

/* The init's own syscalls.  Every entry behaves as the libc call of the
 * same name (returns -1 with errno set). */
struct tr_sys
{
  int (*unshare) (int flags);
  int (*setns) (int fd, int nstype);
  int (*sethostname) (const char *name, size_t len);
  int (*setdomainname) (const char *name, size_t len);
  int (*join_session_keyring) (const char *name); /* keyctl(KEYCTL_JOIN_SESSION_KEYRING) */
  int (*setgroups) (size_t n, const gid_t *groups);
  int (*setresgid) (gid_t rgid, gid_t egid, gid_t sgid);
  int (*setresuid) (uid_t ruid, uid_t euid, uid_t suid);
  int (*prctl) (int option, unsigned long arg);
  int (*close_range) (unsigned first, unsigned last, unsigned flags);
  int (*setsid) (void);
  int (*execve) (const char *path, char *const argv[], char *const envp[]);
};

/* The kernel's. */
extern const struct tr_sys tr_sys_real;

/* The table in use: &tr_sys_real, unless a test swapped it. */
extern const struct tr_sys *tr_sys;

#endif
