#include "config.h"
#include "linux/idmap_mount.h"
#include "util/cleanup.h"
#include "util/syscalls.h"

#include <errno.h>

bool
idmap_mount_wanted (const struct spec_mount *m, const struct mount_options *mo)
{
  return mo->idmap || mo->ridmap || m->uid_mappings.n > 0 || m->gid_mappings.n > 0;
}

bool
idmap_mounts_in_spec (const struct spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      struct mount_options mo;
      if (mount_options_parse (m->options.v, m->options.n, &mo, NULL) == 0 && idmap_mount_wanted (m, &mo))
        return true;
    }
  return false;
}

int
idmap_mount_clone (const struct bind_request *r, int userns_fd, bool recursive, tr_error_t *err)
{
  cleanup_close int fd = bind_mount_clone (r, err);
  if (fd < 0)
    return -1;
  struct tr_mount_attr attr = { .attr_set = TR_MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns_fd };
  if (sys_mount_setattr (fd, "", TR_AT_EMPTY_PATH | (recursive ? TR_AT_RECURSIVE : 0), &attr) < 0)
    {
      if (errno == EINVAL)
        return tr_error_plain (err, EINVAL, "idmap on %s: filesystem does not support idmapped mounts", r->dst);
      return tr_error (err, errno, "idmap on %s: mount_setattr", r->dst);
    }
  return steal_fd (&fd);
}
