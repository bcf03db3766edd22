#include "config.h"
#include "linux/mounts.h"
#include "linux/bind_mount.h"
#include "linux/cgroup_mount.h"
#include "linux/idmap_mount.h"
#include "util/cleanup.h"
#include "util/copy_tree.h"
#include "util/fileutil.h"
#include "util/fs_safe.h"
#include "util/log.h"
#include "linux/mount_flags.h"
#include "linux/mount_fd.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

bool
mounts_have_bind_dev (const struct spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      if (strcmp (m->destination, "/dev") != 0)
        continue;
      if (m->type && strcmp (m->type, "bind") == 0)
        return true;
      for (size_t j = 0; j < m->options.n; j++)
        if (strcmp (m->options.v[j], "bind") == 0 || strcmp (m->options.v[j], "rbind") == 0)
          return true;
    }
  return false;
}

bool
mounts_dev_readonly (const struct spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      if (strcmp (m->destination, "/dev") != 0)
        continue;
      /* The first /dev entry decides, as runc's finalizeRootfs reads it. */
      struct mount_options mo;
      if (mount_options_parse (m->options.v, m->options.n, &mo, NULL) < 0)
        return false;
      return mo.flags & MS_RDONLY;
    }
  return false;
}

static bool
is_bind (const struct spec_mount *m, const struct mount_options *mo)
{
  return (mo->flags & MS_BIND) || (m->type && strcmp (m->type, "bind") == 0);
}

/* Each mount_*_entry() makes one mount and returns an fd on its root:
 * whatever follows (propagation) goes through that fd, never through the
 * destination's path, which the rootfs could have changed meanwhile. */

/* In a user namespace the kernel locks the flags of the host's mounts
 * (ro, nosuid, nodev, noexec, atime) and refuses to clear them.  An entry
 * whose options clear one of them ("rw" on a read-only source) fails, as
 * with runc, and the error says which flags. */
static int
locked_flags_error (int src, unsigned long clear, tr_error_t *err)
{
  struct statvfs sv;
  if (fstatvfs (src, &sv) < 0)
    return -1;
  unsigned long locked = mount_flags_from_statvfs (sv.f_flag) & clear;
  if (locked == 0)
    return -1;
  char names[128];
  mount_flag_names (locked, names, sizeof names);
  int status = (*err)->status;
  cleanup_free char *cause = strdup ((*err)->msg);
  tr_error_free (err);
  return tr_error_plain (err, status, "cannot clear locked flags %s: %s", names, cause ? cause : "");
}

/* Bind src onto target with the entry's flags and recursive options. */
static int
bind_entry (const struct spec_mount *m, const struct mount_options *mo, const struct mount_context *mc, int src,
            int target, bool recursive, tr_error_t *err)
{
  struct bind_request r = {
    .src_fd = src,
    .target_fd = target,
    .recursive = recursive,
    .set = mo->flags & ~(MS_BIND | MS_REC | MS_REMOUNT),
    .clear = mo->clear_flags,
    .rec_set = mo->rec_attr_set,
    .rec_clr = mo->rec_attr_clr,
    .rootfd = mc->rootfd,
    .dst = m->destination,
  };
  int mnt = bind_mount_onto (&r, err);
  if (mnt < 0 && mc->user_ns && (*err)->status == EPERM)
    return locked_flags_error (src, mo->clear_flags, err);
  return mnt;
}

/* The source is a host path chosen by the bundle's author: it may follow
 * symlinks on the host, like mount(8) would.  Opened by the runtime when
 * it handed it down (mc->sources), else here. */
static int
open_bind_source (const struct spec_mount *m, size_t index, const struct mount_context *mc, tr_error_t *err)
{
  int given = mount_sources_get (mc->sources, index);
  if (given >= 0)
    {
      int fd = fcntl (given, F_DUPFD_CLOEXEC, 0);
      return fd < 0 ? tr_error (err, errno, "bind source %s", m->source) : fd;
    }
  cleanup_free char *src = m->source[0] == '/' ? strdup (m->source) : path_join (mc->bundle, m->source);
  if (src == NULL)
    return tr_error (err, ENOMEM, "bind source");
  int fd = open (src, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open bind source %s", src);
  return fd;
}

/* The runtime made the idmapped mount, detached and with the entry's
 * flags (mount_sources.c): only attach it. */
static int
attach_idmapped (const struct spec_mount *m, size_t index, const struct mount_context *mc, int *mnt, int target,
                 tr_error_t *err)
{
  if (mount_sources_get (mc->sources, index) < 0)
    return tr_error_plain (err, EINVAL, "idmap on %s: no idmapped mount from the runtime", m->destination);
  if (mount_fd_attach (*mnt, target, m->destination, err) < 0)
    return -1;
  return steal_fd (mnt);
}

static int
mount_bind_entry (const struct spec_mount *m, size_t index, const struct mount_options *mo,
                  const struct mount_context *mc, tr_error_t *err)
{
  if (m->source == NULL)
    return tr_error_plain (err, EINVAL, "a bind mount needs a source");
  cleanup_close int src_fd = open_bind_source (m, index, mc, err);
  if (src_fd < 0)
    return -1;
  struct stat st;
  if (fstat (src_fd, &st) < 0)
    return tr_error (err, errno, "stat bind source %s", m->source);
  cleanup_close int target
      = open_mount_target (mc->rootfd, m->destination, S_ISDIR (st.st_mode) ? TARGET_DIR : TARGET_FILE, err);
  if (target < 0)
    return -1;
  if (idmap_mount_wanted (m, mo))
    return attach_idmapped (m, index, mc, &src_fd, target, err);
  return bind_entry (m, mo, mc, src_fd, target, mo->flags & MS_REC, err);
}

/* sysfs cannot be mounted from a user namespace that does not own the
 * network namespace; bind the host's /sys instead, as runc does. */
static int
mount_sysfs_fallback (const struct spec_mount *m, const struct mount_options *mo, const struct mount_context *mc,
                      int target, tr_error_t *err)
{
  cleanup_close int src = open ("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (src < 0)
    return tr_error (err, errno, "open /sys");
  return bind_entry (m, mo, mc, src, target, true, err);
}

static void
fs_data (const struct spec_mount *m, const struct mount_options *mo, const struct mount_context *mc, char *data,
         size_t size)
{
  snprintf (data, size, "%s", mo->data);
  if (mc->mount_label && mc->mount_label[0] && strcmp (m->type, "proc") != 0 && strcmp (m->type, "sysfs") != 0)
    {
      size_t used = strlen (data);
      snprintf (data + used, size - used, "%scontext=\"%s\"", used ? "," : "", mc->mount_label);
    }
}

/* tmpcopyup: fill the new tmpfs with the directory it covers. */
static int
copy_up (int covered, int mnt, const struct mount_options *mo, tr_error_t *err)
{
  if (mo->flags & MS_RDONLY)
    return tr_error_plain (err, EINVAL, "options: tmpcopyup needs a writable tmpfs");
  cleanup_close int fresh = openat (mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fresh < 0)
    return tr_error (err, errno, "tmpcopyup: open the new tmpfs");
  if (copy_tree (covered, fresh, err) < 0)
    return tr_error_wrap (err, "tmpcopyup");
  return 0;
}

/* /dev is mounted writable even with "ro": the devices and symlinks are
 * made in it first, and rootfs_finish() makes it read-only (runc's
 * finalizeRootfs). */
static unsigned long
fs_flags (const struct spec_mount *m, const struct mount_options *mo)
{
  unsigned long flags = mo->flags & ~MS_REMOUNT;
  if (strcmp (m->destination, "/dev") == 0)
    flags &= ~MS_RDONLY;
  return flags;
}

/* proc and sysfs only on an ordinary directory (or where nothing is yet),
 * never through a symlink the image put at the destination, as runc. */
static int
check_ordinary_dir (const struct mount_context *mc, const char *type, const char *dst, tr_error_t *err)
{
  const char *slash = strrchr (dst, '/');
  char parent[PATH_MAX];
  snprintf (parent, sizeof parent, "%.*s", (int) (slash - dst), dst);
  cleanup_close int dir = safe_openat (mc->rootfd, parent[0] ? parent : "/", O_PATH | O_DIRECTORY, 0, NULL);
  if (dir < 0)
    return 0; /* not there yet: it is made as a directory */
  struct stat st;
  if (fstatat (dir, slash[1] ? slash + 1 : ".", &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : tr_error (err, errno, "stat %s", dst);
  if (!S_ISDIR (st.st_mode))
    return tr_error_plain (err, ENOTDIR, "filesystem \"%s\" must be mounted on ordinary directory", type);
  return 0;
}

static int
mount_fs_new (const struct spec_mount *m, const struct mount_options *mo, const struct mount_context *mc,
              int target, tr_error_t *err)
{
  char data[sizeof mo->data + 128];
  fs_data (m, mo, mc, data, sizeof data);
  /* tmpcopyup: keep a handle on the directory about to be covered. */
  cleanup_close int covered = -1;
  if (mo->tmpcopyup && strcmp (m->type, "tmpfs") == 0)
    covered = openat (target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct fs_mount_request r = {
    .type = m->type,
    .source = m->source ? m->source : m->type,
    .data = data,
    .flags = fs_flags (m, mo),
    .target_fd = target,
    .rootfd = mc->rootfd,
    .dst = m->destination,
  };
  cleanup_close int mnt = fs_mount_onto (&r, err);
  if (mnt < 0)
    return -1;
  if (covered >= 0 && copy_up (covered, mnt, mo, err) < 0)
    return -1;
  if (mo->recursive_attrs
      && mount_fd_set_attrs_recursive (mnt, mo->rec_attr_set, mo->rec_attr_clr, m->destination, err) < 0)
    return -1;
  return steal_fd (&mnt);
}

static int
mount_fs_entry (const struct spec_mount *m, const struct mount_options *mo, const struct mount_context *mc,
                tr_error_t *err)
{
  const char *type = m->type;
  if (type == NULL)
    return tr_error_plain (err, EINVAL, "type: required for a non-bind mount");
  if (strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0)
    return cgroup_mount (mc->rootfd, m->destination, mo->flags, mc->cgroup_mounts, mc->cgroup_ns, err);

  if ((strcmp (type, "proc") == 0 || strcmp (type, "sysfs") == 0)
      && check_ordinary_dir (mc, type, m->destination, err) < 0)
    return -1;
  cleanup_close int target = open_mount_target (mc->rootfd, m->destination, TARGET_DIR, err);
  if (target < 0)
    return -1;
  int mnt = mount_fs_new (m, mo, mc, target, err);
  if (mnt < 0 && strcmp (type, "sysfs") == 0 && (*err)->status == EPERM && mc->user_ns && !mc->net_ns)
    {
      tr_error_free (err);
      return mount_sysfs_fallback (m, mo, mc, target, err);
    }
  return mnt;
}

static int
mount_one (const struct spec_mount *m, size_t index, const struct mount_context *mc, tr_error_t *err)
{
  struct mount_options mo;
  if (mount_options_parse (m->options.v, m->options.n, &mo, err) < 0)
    return -1;
  if (m->destination[0] != '/')
    return tr_error_plain (err, EINVAL, "destination: must be an absolute path");
  cleanup_close int mnt
      = is_bind (m, &mo) ? mount_bind_entry (m, index, &mo, mc, err) : mount_fs_entry (m, &mo, mc, err);
  if (mnt < 0)
    return -1;
  return mount_fd_propagation (mnt, mo.propagation, m->destination, err);
}

int
mounts_apply (const struct spec *spec, const struct mount_context *mc, tr_error_t *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      log_debug ("mount %s (%s) on %s", m->source ? m->source : "-", m->type ? m->type : "-", m->destination);
      if (mount_one (m, i, mc, err) < 0)
        return tr_error_wrap (err, "mounts[%zu] (%s)", i, m->destination);
    }
  return 0;
}
