#include "config.h"
#include "linux/bind_mount.h"
#include "linux/mount_fd.h"
#include "util/cleanup.h"
#include "util/fs_safe.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>

/* Before Linux 5.2: mount(2) through /proc/self/fd, then the new mount is
 * found by its path again (nothing better exists on such a kernel). */
static int
bind_mount_legacy (const struct bind_request *r, tr_error_t *err)
{
  char sp[64], tp[64];
  unsigned long rec = r->recursive ? MS_REC : 0;
  if (mount (fd_path (r->src_fd, sp), fd_path (r->target_fd, tp), NULL, MS_BIND | rec, NULL) < 0)
    return tr_error (err, errno, "bind mount on %s", r->dst);
  cleanup_close int fd = mount_fd_reopen_path (r->rootfd, r->dst, err);
  if (fd < 0)
    return -1;
  if (mount_fd_set_flags_attached (fd, r->set, r->clear, r->dst, err) < 0)
    return -1;
  return steal_fd (&fd);
}

static int
set_detached (int fd, const struct bind_request *r, tr_error_t *err)
{
  if (mount_fd_set_flags (fd, r->set, r->clear, false, r->dst, err) < 0)
    return -1;
  if ((r->rec_set || r->rec_clr) && mount_fd_set_attrs_recursive (fd, r->rec_set, r->rec_clr, r->dst, err) < 0)
    return -1;
  return 0;
}

int
bind_mount_onto (const struct bind_request *r, tr_error_t *err)
{
  unsigned flags = TR_OPEN_TREE_CLONE_FLAGS | TR_AT_EMPTY_PATH | (r->recursive ? TR_AT_RECURSIVE : 0);
  cleanup_close int fd = sys_open_tree (r->src_fd, "", flags);
  if (fd < 0 && errno == ENOSYS)
    {
      log_debug ("open_tree: not in this kernel, bind %s with mount(2)", r->dst);
      return bind_mount_legacy (r, err);
    }
  if (fd < 0)
    return tr_error (err, errno, "bind mount on %s: open_tree", r->dst);
  /* The attributes go on the detached clone, before anyone can see it.
   * Without mount_setattr() (5.2 to 5.11) they follow the attach, on the fd. */
  bool late = false;
  if (set_detached (fd, r, err) < 0)
    {
      if (!mount_api_missing (err))
        return -1;
      late = true;
    }
  if (mount_fd_attach (fd, r->target_fd, r->dst, err) < 0)
    return -1;
  if (late && mount_fd_set_flags_attached (fd, r->set, r->clear, r->dst, err) < 0)
    return -1;
  if (late && (r->rec_set || r->rec_clr))
    return tr_error_plain (err, ENOSYS, "%s: recursive mount options need mount_setattr (Linux 5.12)", r->dst);
  return steal_fd (&fd);
}

int
bind_mount_clone (const struct bind_request *r, tr_error_t *err)
{
  unsigned flags = TR_OPEN_TREE_CLONE_FLAGS | TR_AT_EMPTY_PATH | (r->recursive ? TR_AT_RECURSIVE : 0);
  cleanup_close int fd = sys_open_tree (r->src_fd, "", flags);
  if (fd < 0)
    return tr_error (err, errno, "bind mount on %s: open_tree", r->dst);
  if (set_detached (fd, r, err) < 0)
    return -1;
  return steal_fd (&fd);
}
