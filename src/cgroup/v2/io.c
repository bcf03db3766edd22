/* cgroup v2 io controller (the spec's blockIO). */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v2/controllers.h"
#include "util/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define FIELD "linux.resources.blockIO"

uint64_t
v2_io_weight_from_blkio (uint64_t weight)
{
  /* blkio.weight [10, 1000] → io.weight [1, 10000] */
  return cgroup_v2_weight (weight, 10, 1000);
}

/* io.bfq.weight takes the blkio range itself; io.weight needs the
 * conversion.  Prefer BFQ's file when the kernel has it, as crun does. */
static int
set_weight (int fd, const char *dev, uint64_t weight, const char *field, tr_error_t *err)
{
  if (cgroup_has_file (fd, "io.bfq.weight"))
    return cgroup_setf (fd, "io.bfq.weight", field, err, "%s%s%" PRIu64, dev, dev[0] ? " " : "", weight);
  return cgroup_setf (fd, "io.weight", field, err, "%s%" PRIu64, dev[0] ? dev : "default ",
                      v2_io_weight_from_blkio (weight));
}

static int
set_max (int fd, const throttlelist *l, const char *key, const char *name, tr_error_t *err)
{
  for (size_t i = 0; i < l->n; i++)
    {
      char field[96];
      snprintf (field, sizeof field, FIELD ".%s[%zu]", name, i);
      if (cgroup_setf (fd, "io.max", field, err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, l->v[i].major, l->v[i].minor,
                       key, l->v[i].rate)
          < 0)
        return -1;
    }
  return 0;
}

int
v2_apply_io (int fd, const struct spec_block_io *b, tr_error_t *err)
{
  /* A weight of 0 means "not set" (runc; Docker always sends one). */
  if (b->weight.set && b->weight.v && set_weight (fd, "", b->weight.v, FIELD ".weight", err) < 0)
    return -1;
  if (b->leaf_weight.set && b->leaf_weight.v)
    log_warning (FIELD ".leafWeight: cgroup v2 has no leaf weight: ignored");
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct spec_weight_device *w = &b->weight_device[i];
      char dev[64], field[96];
      snprintf (dev, sizeof dev, "%" PRId64 ":%" PRId64 " ", w->major, w->minor);
      snprintf (field, sizeof field, FIELD ".weightDevice[%zu]", i);
      if (w->weight.set && w->weight.v)
        {
          dev[strlen (dev) - 1] = cgroup_has_file (fd, "io.bfq.weight") ? '\0' : ' ';
          if (set_weight (fd, dev, w->weight.v, field, err) < 0)
            return -1;
        }
    }
  if (set_max (fd, &b->throttle_read_bps, "rbps", "throttleReadBpsDevice", err) < 0
      || set_max (fd, &b->throttle_write_bps, "wbps", "throttleWriteBpsDevice", err) < 0
      || set_max (fd, &b->throttle_read_iops, "riops", "throttleReadIOPSDevice", err) < 0
      || set_max (fd, &b->throttle_write_iops, "wiops", "throttleWriteIOPSDevice", err) < 0)
    return -1;
  return 0;
}
