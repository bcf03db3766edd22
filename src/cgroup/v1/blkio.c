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

static bool
wants_weight (const struct spec_block_io *b)
{
  bool any = (b->weight.set && b->weight.v) || (b->leaf_weight.set && b->leaf_weight.v);
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct spec_weight_device *w = &b->weight_device[i];
      any = any || (w->weight.set && w->weight.v) || (w->leaf_weight.set && w->leaf_weight.v);
    }
  return any;
}

static int
set_device_weights (int fd, const struct spec_block_io *b, const char *weight_device, tr_error_t *err)
{
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct spec_weight_device *w = &b->weight_device[i];
      char field[96];
      snprintf (field, sizeof field, FIELD ".weightDevice[%zu]", i);
      if (w->weight.set && w->weight.v
          && cgroup_setf (fd, weight_device, field, err, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
                          w->weight.v)
                 < 0)
        return -1;
      if (w->leaf_weight.set && w->leaf_weight.v
          && cgroup_setf (fd, "blkio.leaf_weight_device", field, err, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major,
                          w->minor, w->leaf_weight.v)
                 < 0)
        return -1;
    }
  return 0;
}

int
v1_blkio_set_weights (int fd, const struct spec_block_io *b, tr_error_t *err)
{
  /* A weight of 0 means "not set" (runc; Docker always sends one). */
  if (!wants_weight (b))
    return 0;
  /* CFQ has blkio.weight; with BFQ (the only proportional scheduler
   * since Linux 5.0) the files are blkio.bfq.weight*. */
  bool cfq = cgroup_has_file (fd, "blkio.weight");
  if (!cfq && !cgroup_has_file (fd, "blkio.bfq.weight"))
    return tr_error_plain (err, ENOTSUP, FIELD ".weight: this host's blkio controller has no proportional weights "
                                        "(neither blkio.weight nor blkio.bfq.weight)");
  const char *weight = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const char *weight_device = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  if (b->weight.set && b->weight.v && cgroup_setf (fd, weight, FIELD ".weight", err, "%" PRIu64, b->weight.v) < 0)
    return -1;
  if (b->leaf_weight.set && b->leaf_weight.v
      && cgroup_setf (fd, "blkio.leaf_weight", FIELD ".leafWeight", err, "%" PRIu64, b->leaf_weight.v) < 0)
    return -1;
  return set_device_weights (fd, b, weight_device, err);
}

int
v1_apply_blkio (const char *path, const struct spec_block_io *b, tr_error_t *err)
{
  cleanup_close int fd = v1_open ("blkio", path, FIELD, err);
  if (fd < 0 || v1_blkio_set_weights (fd, b, err) < 0)
    return -1;
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
