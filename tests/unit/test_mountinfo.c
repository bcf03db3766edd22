/* /proc/self/mountinfo lines → entries, escaped paths unescaped. */
#include "unit.h"
#include "linux/mountinfo.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

static const char sample[]
    = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
      "35 22 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup "
      "rw,memory\n"
      "40 22 0:41 /a\\040dir /run/my\\040bundle/rootfs\\011tab rw master:3 - tmpfs my\\134src rw,size=64k\n"
      "not a mountinfo line\n"
      "41 40 0:42 / /run/no-optional ro - proc proc rw\n";

TEST (mountinfo_parse_sample)
{
  tr_error_t err = NULL;
  struct mountinfo mi;
  CHECK (mountinfo_parse (strdup (sample), &mi, &err) == 0);
  CHECK (mi.n == 4);
  if (mi.n == 4)
    {
      CHECK (mi.v[0].id == 22 && mi.v[0].parent == 1);
      CHECK (major (mi.v[0].dev) == 8 && minor (mi.v[0].dev) == 1);
      CHECK (major (mi.v[1].dev) == 0 && minor (mi.v[1].dev) == 30);
      CHECK_STR (mi.v[0].mountpoint, "/");
      CHECK_STR (mi.v[0].fstype, "ext4");
      CHECK_STR (mi.v[0].source, "/dev/sda1");
      CHECK_STR (mi.v[0].options, "rw,relatime");
      CHECK_STR (mi.v[1].mountpoint, "/sys/fs/cgroup/memory");
      CHECK_STR (mi.v[1].fstype, "cgroup");
      CHECK_STR (mi.v[1].super_options, "rw,memory");
      CHECK_STR (mi.v[2].root, "/a dir");
      CHECK_STR (mi.v[2].mountpoint, "/run/my bundle/rootfs\ttab");
      CHECK_STR (mi.v[2].source, "my\\src");
      CHECK_STR (mi.v[2].super_options, "rw,size=64k");
      CHECK (mi.v[3].id == 41 && mi.v[3].parent == 40);
      CHECK_STR (mi.v[3].options, "ro");
      CHECK_STR (mi.v[3].fstype, "proc");
    }
  mountinfo_free (&mi);
  tr_error_free (&err);
}

TEST (mountinfo_parse_empty)
{
  tr_error_t err = NULL;
  struct mountinfo mi;
  CHECK (mountinfo_parse (strdup (""), &mi, &err) == 0 && mi.n == 0);
  mountinfo_free (&mi);
}

TEST (mountinfo_read_self)
{
  tr_error_t err = NULL;
  cleanup_mountinfo struct mountinfo mi = { 0 };
  CHECK (mountinfo_read (&mi, &err) == 0);
  bool root = false;
  for (size_t i = 0; i < mi.n; i++)
    root |= strcmp (mi.v[i].mountpoint, "/") == 0;
  CHECK (root);
  tr_error_free (&err);
}
