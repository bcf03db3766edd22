#include "config.h"
#include "linux/mount_fd.h"
#include "linux/mount_flags.h"
#include "util/cleanup.h"
#include "util/fs_safe.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#define ATIME_FLAGS (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)

bool
mount_api_missing (tr_error_t *err)
{
  if (err == NULL || *err == NULL || (*err)->status != ENOSYS)
    return false;
  tr_error_ignore (err, "no new mount API in this kernel: falling back to mount(2)");
  return true;
}

/* Before Linux 5.12: a bind remount of the mount `fd` is on, through
 * /proc/self/fd/N, which names that mount without a path lookup.  The
 * remount replaces every per-mount flag, so the current ones are carried
 * over unless cleared. */
static int
remount_fd (int fd, unsigned long set, unsigned long clear, const char *what, tr_error_t *err)
{
  struct statvfs sv;
  unsigned long cur = fstatvfs (fd, &sv) == 0 ? mount_flags_from_statvfs (sv.f_flag) : 0;
  if (set & ATIME_FLAGS)
    cur &= ~ATIME_FLAGS;
  unsigned long all = ((cur | set) & ~clear) & ~(MS_BIND | MS_REC | MS_REMOUNT);
  char p[64];
  if (mount (NULL, fd_path (fd, p), NULL, MS_BIND | MS_REMOUNT | all, NULL) < 0)
    return tr_error (err, errno, "remount %s", what);
  return 0;
}

int
mount_fd_set_flags (int fd, unsigned long set, unsigned long clear, bool recursive, const char *what,
                    tr_error_t *err)
{
  struct tr_mount_attr attr = { 0 };
  mount_attr_from_flags (set, clear, &attr.attr_set, &attr.attr_clr);
  if (attr.attr_set == 0 && attr.attr_clr == 0)
    return 0;
  unsigned flags = TR_AT_EMPTY_PATH | (recursive ? TR_AT_RECURSIVE : 0);
  if (sys_mount_setattr (fd, "", flags, &attr) < 0)
    return tr_error (err, errno, "mount_setattr on %s", what);
  return 0;
}

int
mount_fd_set_flags_attached (int fd, unsigned long set, unsigned long clear, const char *what, tr_error_t *err)
{
  if (mount_fd_set_flags (fd, set, clear, false, what, err) == 0)
    return 0;
  if (!mount_api_missing (err))
    return -1;
  return remount_fd (fd, set, clear, what, err);
}

int
mount_fd_set_attrs_recursive (int fd, uint64_t attr_set, uint64_t attr_clr, const char *what, tr_error_t *err)
{
  struct tr_mount_attr attr = { .attr_set = attr_set, .attr_clr = attr_clr };
  if (sys_mount_setattr (fd, "", TR_AT_EMPTY_PATH | TR_AT_RECURSIVE, &attr) < 0)
    return tr_error (err, errno, "mount_setattr (recursive options) on %s", what);
  return 0;
}

int
mount_fd_attach (int mnt_fd, int target_fd, const char *what, tr_error_t *err)
{
  if (sys_move_mount (mnt_fd, "", target_fd, "", TR_MOVE_MOUNT_F_EMPTY_PATH | TR_MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return tr_error (err, errno, "move_mount onto %s", what);
  return 0;
}

int
mount_fd_propagation (int fd, unsigned long propagation, const char *what, tr_error_t *err)
{
  if (propagation == 0)
    return 0;
  /* /proc/self/fd/N of a mount's root names that very mount. */
  char p[64];
  if (mount (NULL, fd_path (fd, p), NULL, propagation, NULL) < 0)
    return tr_error (err, errno, "set propagation of %s", what);
  return 0;
}

/* One option of `data`, starting at *pos, into buf (quotes removed);
 * *pos moves past it and its comma.  Returns false at the end. */
static bool
next_option (const char **pos, char *buf, size_t size)
{
  const char *s = *pos;
  size_t n = 0;
  bool quoted = false;
  if (*s == '\0')
    return false;
  for (; *s && (quoted || *s != ','); s++)
    {
      if (*s == '"')
        quoted = !quoted;
      else if (n + 1 < size)
        buf[n++] = *s;
    }
  buf[n] = '\0';
  *pos = *s ? s + 1 : s;
  return true;
}

static int
config_option (int fs, char *opt, const char *type, const char *what, tr_error_t *err)
{
  char *eq = strchr (opt, '=');
  int ret;
  if (eq)
    {
      *eq = '\0';
      ret = sys_fsconfig (fs, TR_FSCONFIG_SET_STRING, opt, eq + 1, 0);
    }
  else
    ret = sys_fsconfig (fs, TR_FSCONFIG_SET_FLAG, opt, NULL, 0);
  if (ret < 0)
    return tr_error (err, errno, "mount %s on %s: option %s", type, what, opt);
  return 0;
}

static int
config_fs (int fs, const char *type, const char *source, unsigned long flags, const char *data, const char *what,
           tr_error_t *err)
{
  if (source && sys_fsconfig (fs, TR_FSCONFIG_SET_STRING, "source", source, 0) < 0)
    return tr_error (err, errno, "mount %s on %s: source %s", type, what, source);
  const char *sb[8];
  size_t n = mount_sb_flag_names (flags, sb, 8);
  for (size_t i = 0; i < n && i < 8; i++)
    if (sys_fsconfig (fs, TR_FSCONFIG_SET_FLAG, sb[i], NULL, 0) < 0)
      return tr_error (err, errno, "mount %s on %s: %s", type, what, sb[i]);
  char opt[4096];
  for (const char *pos = data ? data : ""; next_option (&pos, opt, sizeof opt);)
    if (opt[0] && config_option (fs, opt, type, what, err) < 0)
      return -1;
  if (sys_fsconfig (fs, TR_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return tr_error (err, errno, "mount %s on %s", type, what);
  return 0;
}

int
fs_mount_detached (const char *type, const char *source, unsigned long flags, const char *data,
                   const char *what, tr_error_t *err)
{
  cleanup_close int fs = sys_fsopen (type, TR_FSOPEN_CLOEXEC);
  if (fs < 0)
    return tr_error (err, errno, "mount %s on %s", type, what);
  if (config_fs (fs, type, source, flags, data, what, err) < 0)
    return -1;
  uint64_t set, clr;
  mount_attr_from_flags (flags, 0, &set, &clr);
  int mnt = sys_fsmount (fs, TR_FSMOUNT_CLOEXEC, (unsigned) set);
  if (mnt < 0)
    return tr_error (err, errno, "mount %s on %s", type, what);
  return mnt;
}

int
fs_mount_onto (const struct fs_mount_request *r, tr_error_t *err)
{
  cleanup_close int mnt = fs_mount_detached (r->type, r->source, r->flags, r->data, r->dst, err);
  if (mnt >= 0)
    return mount_fd_attach (mnt, r->target_fd, r->dst, err) < 0 ? -1 : steal_fd (&mnt);
  if (!mount_api_missing (err))
    return -1;
  char tp[64];
  const char *data = r->data && r->data[0] ? r->data : NULL;
  if (mount (r->source, fd_path (r->target_fd, tp), r->type, r->flags, data) < 0)
    return tr_error (err, errno, "mount %s on %s", r->type, r->dst);
  return mount_fd_reopen_path (r->rootfd, r->dst, err);
}

int
mount_fd_reopen_path (int rootfd, const char *dst, tr_error_t *err)
{
  if (rootfd != AT_FDCWD)
    return safe_openat (rootfd, dst, O_PATH, 0, err);
  int fd = open (dst, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s", dst);
  return fd;
}
