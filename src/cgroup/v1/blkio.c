/* cgroup v1 blkio controller. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v1/controllers.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define FIELD "linux.resources.blockIO"

static int
apply_throttle (int fd, const throttlelist *l, const char *file, const char *name, tr_error_t *err)
{
  for (size_t i = 0; i < l->n; i++)
    {
      char field[96];
      snprintf (field, sizeof field, FIELD ".%s[%zu]", name, i);
      if (cgroup_setf (fd, file, field, err, "%" PRId64 ":%" PRId64 " %" PRIu64, l->v[i].major, l->v[i].minor,
                       l->v[i].rate)
          < 0)
        return -1;
    }
  return 0;
}

int
v1_apply_blkio (const char *path, const struct spec_block_io *b, tr_error_t *err)
{
  cleanup_close int fd = v1_open ("blkio", path, FIELD, err);
  if (fd < 0)
    return -1;
  /* Proportional weights exist only with a scheduler that has them. */
  if ((b->weight.set || b->leaf_weight.set || b->n_weight_device) && !cgroup_has_file (fd, "blkio.weight"))
    return tr_error_plain (err, ENOTSUP, FIELD ".weight: this host's blkio controller has no proportional weights "
                                        "(no blkio.weight)");
  if (b->weight.set && cgroup_setf (fd, "blkio.weight", FIELD ".weight", err, "%" PRIu64, b->weight.v) < 0)
    return -1;
  if (b->leaf_weight.set
      && cgroup_setf (fd, "blkio.leaf_weight", FIELD ".leafWeight", err, "%" PRIu64, b->leaf_weight.v) < 0)
    return -1;
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct spec_weight_device *w = &b->weight_device[i];
      char field[96];
      snprintf (field, sizeof field, FIELD ".weightDevice[%zu]", i);
      if (w->weight.set
          && cgroup_setf (fd, "blkio.weight_device", field, err, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major,
                          w->minor, w->weight.v)
                 < 0)
        return -1;
      if (w->leaf_weight.set
          && cgroup_setf (fd, "blkio.leaf_weight_device", field, err, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major,
                          w->minor, w->leaf_weight.v)
                 < 0)
        return -1;
    }
  if (apply_throttle (fd, &b->throttle_read_bps, "blkio.throttle.read_bps_device", "throttleReadBpsDevice", err) < 0
      || apply_throttle (fd, &b->throttle_write_bps, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice", err)
             < 0
      || apply_throttle (fd, &b->throttle_read_iops, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice", err)
             < 0
      || apply_throttle (fd, &b->throttle_write_iops, "blkio.throttle.write_iops_device", "throttleWriteIOPSDevice",
                         err)
             < 0)
    return -1;
  return 0;
}
