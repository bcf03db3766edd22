#include "config.h"
#include "linux/mounts.h"
#include "linux/bind_mount.h"
#include "linux/cgroup_mount.h"
#include "util/cleanup.h"
#include "util/copy_tree.h"
#include "util/fileutil.h"
#include "util/fs_safe.h"
#include "util/log.h"
#include "linux/mount_flags.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

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

static bool
is_bind (const struct spec_mount *m, const struct mount_options *mo)
{
  return (mo->flags & MS_BIND) || (m->type && strcmp (m->type, "bind") == 0);
}

static int
apply_propagation (int rootfd, const char *dst, unsigned long propagation, tr_error_t *err)
{
  if (propagation == 0)
    return 0;
  cleanup_close int fd = safe_openat (rootfd, dst, O_PATH, 0, err);
  if (fd < 0)
    return -1;
  char p[64];
  if (mount (NULL, fd_path (fd, p), NULL, propagation, NULL) < 0)
    return tr_error (err, errno, "set propagation of %s", dst);
  return 0;
}

static int
apply_recursive_attrs (int rootfd, const char *dst, const struct mount_options *mo, tr_error_t *err)
{
  if (!mo->recursive_attrs)
    return 0;
  cleanup_close int fd = safe_openat (rootfd, dst, O_PATH, 0, err);
  if (fd < 0)
    return -1;
  struct tr_mount_attr attr = { .attr_set = mo->rec_attr_set, .attr_clr = mo->rec_attr_clr };
  if (sys_mount_setattr (fd, "", AT_EMPTY_PATH | TR_AT_RECURSIVE, &attr) < 0)
    return tr_error (err, errno, "mount_setattr (recursive options) on %s", dst);
  return 0;
}

static int
mount_bind_entry (const struct spec_mount *m, const struct mount_options *mo, const struct mount_context *mc,
                  tr_error_t *err)
{
  if (m->source == NULL)
    return tr_error_plain (err, EINVAL, "a bind mount needs a source");
  cleanup_free char *src = m->source[0] == '/' ? strdup (m->source) : path_join (mc->bundle, m->source);
  if (src == NULL)
    return tr_error (err, ENOMEM, "bind source");
  /* The source is a host path chosen by the bundle's author: it may
   * follow symlinks on the host, like mount(8) would. */
  cleanup_close int src_fd = open (src, O_PATH | O_CLOEXEC);
  if (src_fd < 0)
    return tr_error (err, errno, "open bind source %s", src);
  if (bind_mount_fd (src_fd, mc->rootfd, m->destination, mo->flags & MS_REC, err) < 0)
    return -1;
  unsigned long extra = mo->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  if ((extra || mo->clear_flags) && remount_bind (mc->rootfd, m->destination, extra, mo->clear_flags, err) < 0)
    return -1;
  return 0;
}

/* sysfs cannot be mounted from a user namespace that does not own the
 * network namespace; bind the host's /sys instead, as runc does. */
static int
mount_sysfs_fallback (const struct spec_mount *m, const struct mount_options *mo, const struct mount_context *mc,
                      tr_error_t *err)
{
  cleanup_close int src = open ("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (src < 0)
    return tr_error (err, errno, "open /sys");
  if (bind_mount_fd (src, mc->rootfd, m->destination, MS_REC, err) < 0)
    return -1;
  return remount_bind (mc->rootfd, m->destination, mo->flags & ~(MS_BIND | MS_REC), mo->clear_flags, err);
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

  cleanup_close int target = open_mount_target (mc->rootfd, m->destination, TARGET_DIR, err);
  if (target < 0)
    return -1;
  char tp[64];
  char data[sizeof mo->data + 128];
  snprintf (data, sizeof data, "%s", mo->data);
  if (mc->mount_label && mc->mount_label[0] && strcmp (type, "proc") != 0 && strcmp (type, "sysfs") != 0)
    {
      size_t used = strlen (data);
      snprintf (data + used, sizeof data - used, "%scontext=\"%s\"", used ? "," : "", mc->mount_label);
    }
  const char *source = m->source ? m->source : type;
  /* tmpcopyup: keep a handle on the directory about to be covered. */
  cleanup_close int covered = -1;
  if (mo->tmpcopyup && strcmp (type, "tmpfs") == 0)
    covered = openat (target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mount (source, fd_path (target, tp), type, mo->flags & ~MS_REMOUNT, data[0] ? data : NULL) < 0)
    {
      int saved = errno;
      if (strcmp (type, "sysfs") == 0 && saved == EPERM && mc->user_ns && !mc->net_ns)
        return mount_sysfs_fallback (m, mo, mc, err);
      return tr_error (err, saved, "mount %s on %s", type, m->destination);
    }
  if (covered >= 0)
    {
      /* A read-only tmpfs cannot be filled: copy first, then remount. */
      cleanup_close int fresh = safe_openat (mc->rootfd, m->destination, O_RDONLY | O_DIRECTORY, 0, err);
      if (fresh < 0)
        return -1;
      if (mo->flags & MS_RDONLY)
        return tr_error_plain (err, EINVAL, "options: tmpcopyup needs a writable tmpfs");
      if (copy_tree (covered, fresh, err) < 0)
        return tr_error_wrap (err, "tmpcopyup");
    }
  return 0;
}

static int
mount_one (const struct spec_mount *m, const struct mount_context *mc, tr_error_t *err)
{
  struct mount_options mo;
  if (mount_options_parse (m->options.v, m->options.n, &mo, err) < 0)
    return -1;
  if (m->destination[0] != '/')
    return tr_error_plain (err, EINVAL, "destination: must be an absolute path");
  int ret = is_bind (m, &mo) ? mount_bind_entry (m, &mo, mc, err) : mount_fs_entry (m, &mo, mc, err);
  if (ret < 0)
    return -1;
  if (apply_recursive_attrs (mc->rootfd, m->destination, &mo, err) < 0)
    return -1;
  return apply_propagation (mc->rootfd, m->destination, mo.propagation, err);
}

int
mounts_apply (const struct spec *spec, const struct mount_context *mc, tr_error_t *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      log_debug ("mount %s (%s) on %s", m->source ? m->source : "-", m->type ? m->type : "-", m->destination);
      if (mount_one (m, mc, err) < 0)
        return tr_error_wrap (err, "mounts[%zu] (%s)", i, m->destination);
    }
  return 0;
}
