#include "config.h"
#include "linux/cgroup_mount.h"
#include "linux/bind_mount.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/fs_safe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#define CGROUP_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int
mount_hierarchy (int rootfd, const char *dst, const struct cgroup_mount_source *h, unsigned long flags,
                 bool cgroup_ns, tr_error_t *err)
{
  if (!cgroup_ns)
    {
      cleanup_close int src_fd = open (h->host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (src_fd < 0)
        return tr_error (err, errno, "open %s", h->host_dir);
      return bind_mount_fd (src_fd, rootfd, dst, MS_REC | flags, err);
    }
  cleanup_close int target = open_mount_target (rootfd, dst, TARGET_DIR, err);
  if (target < 0)
    return -1;
  char tp[64];
  if (mount ("cgroup", fd_path (target, tp), h->fstype, flags, h->options) < 0)
    return tr_error (err, errno, "mount %s%s%s on %s", h->fstype, h->options ? " " : "",
                     h->options ? h->options : "", dst);
  return 0;
}

static int
mount_tree (int rootfd, const char *dst, unsigned long flags, const struct cgroup_mount_plan *plan, bool cgroup_ns,
            tr_error_t *err)
{
  cleanup_close int target = open_mount_target (rootfd, dst, TARGET_DIR, err);
  if (target < 0)
    return -1;
  char tp[64];
  if (mount ("tmpfs", fd_path (target, tp), "tmpfs", CGROUP_MOUNT_FLAGS, "mode=755") < 0)
    return tr_error (err, errno, "mount tmpfs on %s", dst);
  for (size_t i = 0; i < plan->n; i++)
    {
      cleanup_free char *sub = path_join (dst, plan->v[i].subdir);
      if (sub == NULL)
        return tr_error (err, ENOMEM, "cgroup mount");
      if (mount_hierarchy (rootfd, sub, &plan->v[i], CGROUP_MOUNT_FLAGS | flags, cgroup_ns, err) < 0)
        return -1;
    }
  /* The tmpfs itself becomes read-only last, once its mount points exist. */
  if (flags & MS_RDONLY)
    {
      cleanup_close int fd = safe_openat (rootfd, dst, O_PATH, 0, err);
      if (fd < 0)
        return -1;
      if (mount (NULL, fd_path (fd, tp), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | CGROUP_MOUNT_FLAGS, NULL) < 0)
        return tr_error (err, errno, "remount %s read-only", dst);
    }
  return 0;
}

int
cgroup_mount (int rootfd, const char *dst, unsigned long flags, const struct cgroup_mount_plan *plan,
              bool cgroup_ns, tr_error_t *err)
{
  if (plan == NULL || (!plan->tmpfs && plan->n != 1))
    return tr_error_plain (err, ENOENT, "mount cgroup on %s: no cgroup hierarchy to mount", dst);
  flags &= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_NOATIME;
  if (!plan->tmpfs)
    return mount_hierarchy (rootfd, dst, &plan->v[0], CGROUP_MOUNT_FLAGS | flags, cgroup_ns, err);
  return mount_tree (rootfd, dst, flags, plan, cgroup_ns, err);
}
