#include "config.h"
#include "linux/cgroup_mount.h"
#include "cgroup/cgroup.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/fs_safe.h"
#include "linux/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#define CGROUP_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int
mount_hierarchy (int rootfd, const char *dst, const char *fstype, const char *options, const char *host_mnt,
                 const char *cgroup_path, unsigned long flags, bool cgroup_ns, tr_error_t *err)
{
  if (!cgroup_ns)
    {
      cleanup_free char *src = path_join (host_mnt, cgroup_path);
      cleanup_close int src_fd = src ? open (src, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
      if (src_fd < 0)
        return tr_error (err, errno, "open %s", src ? src : cgroup_path);
      return bind_mount_fd (src_fd, rootfd, dst, MS_REC | flags, err);
    }
  cleanup_close int target = open_mount_target (rootfd, dst, TARGET_DIR, err);
  if (target < 0)
    return -1;
  char tp[64];
  if (mount ("cgroup", fd_path (target, tp), fstype, flags, options) < 0)
    return tr_error (err, errno, "mount %s%s%s on %s", fstype, options ? " " : "", options ? options : "", dst);
  return 0;
}

static int
mount_v1_tree (int rootfd, const char *dst, unsigned long flags, const char *cgroup_path, bool cgroup_ns,
               tr_error_t *err)
{
  cleanup_close int target = open_mount_target (rootfd, dst, TARGET_DIR, err);
  if (target < 0)
    return -1;
  char tp[64];
  if (mount ("tmpfs", fd_path (target, tp), "tmpfs", CGROUP_MOUNT_FLAGS, "mode=755") < 0)
    return tr_error (err, errno, "mount tmpfs on %s", dst);

  const struct v1_hierarchy *h;
  size_t n;
  if (v1_hierarchies (&h, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const char *name = h[i].controllers;
      if (strncmp (name, "name=", 5) == 0)
        name += 5;
      cleanup_free char *sub = path_join (dst, name);
      if (sub == NULL)
        return tr_error (err, ENOMEM, "cgroup mount");
      if (mount_hierarchy (rootfd, sub, "cgroup", h[i].controllers, h[i].mountpoint, cgroup_path,
                           CGROUP_MOUNT_FLAGS | flags, cgroup_ns, err)
          < 0)
        return -1;
    }
  if (cgroup_layout () == CGROUP_LAYOUT_HYBRID)
    {
      cleanup_free char *sub = path_join (dst, "unified");
      if (sub == NULL
          || mount_hierarchy (rootfd, sub, "cgroup2", NULL, CGROUP_UNIFIED_HYBRID, cgroup_path,
                              CGROUP_MOUNT_FLAGS | flags, cgroup_ns, err)
                 < 0)
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
cgroup_mount (int rootfd, const char *dst, unsigned long flags, const char *cgroup_path, bool cgroup_ns,
              tr_error_t *err)
{
  flags &= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_NOATIME;
  if (cgroup_layout () == CGROUP_LAYOUT_UNIFIED)
    return mount_hierarchy (rootfd, dst, "cgroup2", NULL, CGROUP_ROOT, cgroup_path, CGROUP_MOUNT_FLAGS | flags,
                            cgroup_ns, err);
  return mount_v1_tree (rootfd, dst, flags, cgroup_path, cgroup_ns, err);
}
