#include "config.h"
#include "linux/cgroup_mount.h"
#include "linux/bind_mount.h"
#include "linux/mount_fd.h"
#include "util/cleanup.h"
#include "util/fs_safe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>

#define CGROUP_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int
bind_hierarchy (int base, const char *path, const struct cgroup_mount_source *h, unsigned long flags, int target,
                tr_error_t *err)
{
  cleanup_close int src_fd = open (h->host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (src_fd < 0)
    return tr_error (err, errno, "open %s", h->host_dir);
  struct bind_request b
      = { .src_fd = src_fd, .target_fd = target, .recursive = true, .set = flags, .rootfd = base, .dst = path };
  return bind_mount_onto (&b, err);
}

/* One hierarchy at `path` below `base` (the rootfs, or the tmpfs that
 * holds the hierarchies); returns an fd on the new mount. */
static int
mount_hierarchy (int base, const char *path, const struct cgroup_mount_source *h, unsigned long flags,
                 bool cgroup_ns, tr_error_t *err)
{
  cleanup_close int target = open_mount_target (base, path, TARGET_DIR, err);
  if (target < 0)
    return -1;
  if (!cgroup_ns)
    return bind_hierarchy (base, path, h, flags, target, err);
  struct fs_mount_request r = { .type = h->fstype,
                                .source = "cgroup",
                                .data = h->options,
                                .flags = flags,
                                .target_fd = target,
                                .rootfd = base,
                                .dst = path };
  int mnt = fs_mount_onto (&r, err);
  /* As runc's mountCgroupV2: where cgroup2 cannot be mounted afresh (EPERM
   * in a user namespace without the cgroup namespace's rights, EBUSY on a
   * mount point that already holds it), bind the container's own cgroup
   * directory, which is what the namespace would show. */
  if (mnt < 0 && strcmp (h->fstype, "cgroup2") == 0 && ((*err)->status == EPERM || (*err)->status == EBUSY))
    {
      tr_error_ignore (err, "cgroup2 cannot be mounted afresh: binding the container's cgroup");
      return bind_hierarchy (base, path, h, flags, target, err);
    }
  return mnt;
}

static int
mount_tree (int rootfd, const char *dst, unsigned long flags, const struct cgroup_mount_plan *plan, bool cgroup_ns,
            tr_error_t *err)
{
  cleanup_close int target = open_mount_target (rootfd, dst, TARGET_DIR, err);
  if (target < 0)
    return -1;
  struct fs_mount_request r = { .type = "tmpfs",
                                .source = "tmpfs",
                                .data = "mode=755",
                                .flags = CGROUP_MOUNT_FLAGS,
                                .target_fd = target,
                                .rootfd = rootfd,
                                .dst = dst };
  cleanup_close int tmpfs = fs_mount_onto (&r, err);
  if (tmpfs < 0)
    return -1;
  /* The hierarchies' mount points are looked up in the fresh tmpfs. */
  for (size_t i = 0; i < plan->n; i++)
    {
      cleanup_close int h = mount_hierarchy (tmpfs, plan->v[i].subdir, &plan->v[i], CGROUP_MOUNT_FLAGS | flags,
                                             cgroup_ns, err);
      if (h < 0)
        return tr_error_wrap (err, "%s", dst);
    }
  /* The tmpfs itself becomes read-only last, once its mount points exist. */
  if ((flags & MS_RDONLY) && mount_fd_set_flags_attached (tmpfs, MS_RDONLY, 0, dst, err) < 0)
    return -1;
  return steal_fd (&tmpfs);
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
