/* What the cgroup drivers write, and in which order, for the values that
 * depend on each other or on what the cgroup has now.  0 is "not set"
 * wherever runc treats it so. */
#include "unit.h"
#include "cgroup/pids_limit.h"
#include "cgroup/v1/controllers.h"
#include "cgroup/v2/controllers.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static const char *
cpu_max (int64_t quota, bool quota_set, uint64_t period, bool period_set, const char *current, char *buf)
{
  struct spec_cpu c = { .quota = { quota_set, quota }, .period = { period_set, period } };
  return v2_cpu_max_text (&c, current, buf, 80) ? buf : NULL;
}

TEST (v2_cpu_max_keeps_the_half_not_set)
{
  char buf[80];
  /* Docker's zeros, or nothing at all: no write. */
  CHECK (cpu_max (0, true, 0, true, "50000 100000", buf) == NULL);
  CHECK (cpu_max (0, false, 0, false, NULL, buf) == NULL);
  CHECK_STR (cpu_max (30000, true, 50000, true, "max 100000", buf), "30000 50000");
  /* `update --cpu-period` alone keeps the quota, and the other way round. */
  CHECK_STR (cpu_max (0, false, 50000, true, "20000 100000", buf), "20000 50000");
  CHECK_STR (cpu_max (0, true, 50000, true, "20000 100000", buf), "20000 50000");
  CHECK_STR (cpu_max (40000, true, 0, true, "20000 250000", buf), "40000 250000");
  CHECK_STR (cpu_max (-1, true, 0, false, "20000 250000", buf), "max 250000");
  /* No current text: the kernel's defaults. */
  CHECK_STR (cpu_max (40000, true, 0, false, NULL, buf), "40000 100000");
}

TEST (v2_swap_max_from_memory_plus_swap)
{
  tr_error_t err = NULL;
  int64_t out = 7;
  CHECK (v2_swap_max (0, 0, &out, &err) == 0);
  CHECK (v2_swap_max (64, 0, &out, &err) == 0);
  CHECK (v2_swap_max (-1, 0, &out, &err) == 1 && out == -1);
  CHECK (v2_swap_max (64, -1, &out, &err) == 1 && out == -1);
  CHECK (v2_swap_max (64, 96, &out, &err) == 1 && out == 32);
  CHECK (v2_swap_max (64, 64, &out, &err) == 1 && out == 0); /* no swap at all */
  CHECK (v2_swap_max (-1, 96, &out, &err) == 1 && out == 96);
  CHECK (v2_swap_max (0, 96, &out, &err) == -1);
  CHECK_ERR (err, "a swap limit needs a memory limit");
  tr_error_free (&err);
  CHECK (v2_swap_max (64, 32, &out, &err) == -1);
  CHECK_ERR (err, "is below the memory limit");
  tr_error_free (&err);
}

TEST (v1_memsw_order_follows_the_direction)
{
  /* Growing past the current limit: memsw first. */
  CHECK (v1_memsw_first (512, 64));
  CHECK (v1_memsw_first (-1, 1024));
  /* Shrinking (or swap not above the current limit): the limit first. */
  CHECK (!v1_memsw_first (64, 128));
  CHECK (!v1_memsw_first (128, 128));
}

TEST (pids_max_text)
{
  char buf[32];
  CHECK_STR (cgroup_pids_max_text (-1, buf), "max");
  CHECK_STR (cgroup_pids_max_text (0, buf), "1");
  CHECK_STR (cgroup_pids_max_text (42, buf), "42");
}

/* A fake blkio directory with some of the weight files. */
static int
fake_blkio (char *dir, const char *const *files)
{
  if (mkdtemp (dir) == NULL)
    return -1;
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (size_t i = 0; fd >= 0 && files[i]; i++)
    close (openat (fd, files[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  return fd;
}

static void
remove_fake (int fd, char *dir, const char *const *files)
{
  for (size_t i = 0; files[i]; i++)
    unlinkat (fd, files[i], 0);
  close (fd);
  rmdir (dir);
}

TEST (v1_blkio_weight_falls_back_to_bfq)
{
  static const char *const files[] = { "blkio.bfq.weight", "blkio.bfq.weight_device", NULL };
  char dir[] = "/tmp/tinyrun-blkio-XXXXXX";
  int fd = fake_blkio (dir, files);
  CHECK (fd >= 0);
  struct spec_weight_device wd = { .major = 8, .minor = 0, .weight = { true, 300 } };
  struct spec_block_io b = { .weight = { true, 500 }, .weight_device = &wd, .n_weight_device = 1 };
  tr_error_t err = NULL;
  CHECK (v1_blkio_set_weights (fd, &b, &err) == 0);
  cleanup_free char *w = read_file_at (fd, "blkio.bfq.weight", NULL, &err);
  cleanup_free char *d = read_file_at (fd, "blkio.bfq.weight_device", NULL, &err);
  CHECK_STR (w, "500");
  CHECK_STR (d, "8:0 300");
  remove_fake (fd, dir, files);
  tr_error_free (&err);
}

TEST (v1_blkio_weight_zero_is_not_set)
{
  static const char *const files[] = { NULL };
  char dir[] = "/tmp/tinyrun-blkio-XXXXXX";
  int fd = fake_blkio (dir, files);
  CHECK (fd >= 0);
  tr_error_t err = NULL;
  /* Docker's weight 0 on a host with no weights at all: nothing to do. */
  struct spec_block_io zero = { .weight = { true, 0 }, .leaf_weight = { true, 0 } };
  CHECK (v1_blkio_set_weights (fd, &zero, &err) == 0);
  struct spec_block_io some = { .weight = { true, 500 } };
  CHECK (v1_blkio_set_weights (fd, &some, &err) < 0);
  CHECK_ERR (err, "neither blkio.weight nor blkio.bfq.weight");
  remove_fake (fd, dir, files);
  tr_error_free (&err);
}

TEST (v2_weights_from_v1_ranges)
{
  /* shares [2, 262144] and blkio weights [10, 1000] onto [1, 10000],
   * clamped at both ends (runc's and crun's conversions). */
  CHECK (v2_cpu_weight_from_shares (2) == 1);
  CHECK (v2_cpu_weight_from_shares (0) == 1);
  CHECK (v2_cpu_weight_from_shares (1024) == 39);
  CHECK (v2_cpu_weight_from_shares (262144) == 10000);
  CHECK (v2_cpu_weight_from_shares (1 << 30) == 10000);
  CHECK (v2_io_weight_from_blkio (10) == 1);
  CHECK (v2_io_weight_from_blkio (500) == 4950);
  CHECK (v2_io_weight_from_blkio (1000) == 10000);
  CHECK (v2_io_weight_from_blkio (5000) == 10000);
}
