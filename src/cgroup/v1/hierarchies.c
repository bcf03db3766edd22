#include "config.h"
#include "cgroup/cgroup.h"
#include "cgroup/root_fd.h"
#include "cgroup/v1/hierarchies.h"
#include "linux/mountinfo.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#define MAX_HIERARCHIES 32

static struct v1_hierarchy hierarchies[MAX_HIERARCHIES];
static size_t n_hierarchies;
static bool loaded;

/* The controllers are the super options minus the generic ones. */
static void
controllers_from_super_options (const char *opts, char *out, size_t size)
{
  char copy[512];
  snprintf (copy, sizeof copy, "%s", opts);
  out[0] = '\0';
  size_t used = 0;
  char *save = NULL;
  for (char *o = strtok_r (copy, ",", &save); o; o = strtok_r (NULL, ",", &save))
    {
      if (strcmp (o, "rw") == 0 || strcmp (o, "ro") == 0 || strncmp (o, "release_agent=", 14) == 0
          || strcmp (o, "clone_children") == 0 || strcmp (o, "noprefix") == 0 || strcmp (o, "xattr") == 0
          || strcmp (o, "cpuset_v2_mode") == 0)
        continue;
      used += (size_t) snprintf (out + used, size - used, "%s%s", used ? "," : "", o);
      if (used >= size)
        break;
    }
}

/* Where hosts mount the hierarchy of `controllers`: /sys/fs/cgroup/
 * cpu,cpuacct for "cpu,cpuacct", .../systemd for "name=systemd".  False
 * unless that very directory (not a symlink) is the root of a cgroup v1
 * mount whose device no hierarchy before it had. */
static bool
conventional_mount (const char *controllers, const dev_t *seen, size_t n_seen, struct v1_hierarchy *h, dev_t *dev)
{
  const char *dir = strncmp (controllers, "name=", 5) == 0 ? controllers + 5 : controllers;
  if (dir[0] == '\0' || strchr (dir, '/') || strcmp (dir, ".") == 0 || strcmp (dir, "..") == 0)
    return false;
  int n = snprintf (h->mountpoint, sizeof h->mountpoint, "%s/%s", CGROUP_ROOT, dir);
  if (n < 0 || (size_t) n >= sizeof h->mountpoint)
    return false;
  cleanup_close int fd = cgroupfs_open (h->mountpoint, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct statfs sfs;
  struct statx stx;
  if (fd < 0 || fstatfs (fd, &sfs) < 0 || sfs.f_type != CGROUP_SUPER_MAGIC
      || statx (fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0 || !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
      || !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return false;
  *dev = makedev (stx.stx_dev_major, stx.stx_dev_minor);
  for (size_t i = 0; i < n_seen; i++)
    if (seen[i] == *dev)
      return false;
  snprintf (h->controllers, sizeof h->controllers, "%s", controllers);
  return true;
}

/* The quick way, crun's: /proc/self/cgroup names every v1 hierarchy the
 * kernel has, with its controllers ("4:cpu,cpuacct:/"), and hosts mount
 * each at /sys/fs/cgroup/<controllers>.  Taken only when every one of
 * them is a cgroup v1 mount of its own there (conventional_mount);
 * otherwise (one mounted elsewhere, or not at all) mountinfo decides.
 * The kernel writes /proc/self/cgroup from the task's own cgroups, while
 * mountinfo costs as much as the host has mounts: 0.5-1 ms per `create`
 * with 500 of them (measured on the test VM, docs/performance.md). */
static bool
load_conventional (void)
{
  tr_error_t ignored = NULL;
  cleanup_free char *text = read_file_at (AT_FDCWD, "/proc/self/cgroup", NULL, &ignored);
  tr_error_free (&ignored);
  if (text == NULL)
    return false;
  struct v1_hierarchy found[MAX_HIERARCHIES];
  dev_t seen[MAX_HIERARCHIES];
  size_t n = 0;
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *ctrl = strchr (line, ':');
      char *end = ctrl ? strchr (ctrl + 1, ':') : NULL;
      if (end == NULL)
        return false;
      *end = '\0';
      if (ctrl[1] == '\0') /* "0::/": the cgroup2 hierarchy */
        continue;
      if (n == MAX_HIERARCHIES || !conventional_mount (ctrl + 1, seen, n, &found[n], &seen[n]))
        return false;
      n++;
    }
  /* The kernel lists the newest hierarchy first: reversed, oldest first,
   * which is mountinfo's order on a host that mounts them once at boot. */
  for (size_t i = 0; i < n; i++)
    hierarchies[i] = found[n - 1 - i];
  n_hierarchies = n;
  return true;
}

static int
load (tr_error_t *err)
{
  if (load_conventional ())
    {
      loaded = true;
      return 0;
    }
  cleanup_mountinfo struct mountinfo info = { 0 };
  if (mountinfo_read (&info, err) < 0)
    return -1;
  for (size_t i = 0; i < info.n; i++)
    {
      const struct mountinfo_entry *e = &info.v[i];
      /* Not a mount another one now covers (its mount point would reach
       * that one's filesystem): two hierarchies in one directory. */
      struct stat st;
      if (strcmp (e->fstype, "cgroup") != 0 || cgroupfs_stat (e->mountpoint, &st) < 0 || st.st_dev != e->dev)
        continue;
      if (n_hierarchies == MAX_HIERARCHIES)
        break;
      struct v1_hierarchy *h = &hierarchies[n_hierarchies];
      snprintf (h->mountpoint, sizeof h->mountpoint, "%s", e->mountpoint);
      controllers_from_super_options (e->super_options, h->controllers, sizeof h->controllers);
      /* The same hierarchy may be mounted twice; keep the first. */
      bool dup = false;
      for (size_t j = 0; j < n_hierarchies; j++)
        dup |= strcmp (hierarchies[j].controllers, h->controllers) == 0;
      if (!dup)
        n_hierarchies++;
    }
  loaded = true;
  return 0;
}

int
v1_hierarchies (const struct v1_hierarchy **out, size_t *n, tr_error_t *err)
{
  if (!loaded && load (err) < 0)
    return -1;
  *out = hierarchies;
  *n = n_hierarchies;
  return 0;
}

bool
v1_has_controller (const struct v1_hierarchy *h, const char *controller)
{
  size_t len = strlen (controller);
  for (const char *p = h->controllers; (p = strstr (p, controller)) != NULL; p += len)
    if ((p == h->controllers || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
      return true;
  return false;
}

const struct v1_hierarchy *
v1_find (const char *controller)
{
  const struct v1_hierarchy *h;
  size_t n;
  if (v1_hierarchies (&h, &n, NULL) < 0)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (v1_has_controller (&h[i], controller))
      return &h[i];
  return NULL;
}

int
v1_open (const char *controller, const char *path, const char *field, tr_error_t *err)
{
  const struct v1_hierarchy *h = v1_find (controller);
  if (h == NULL)
    return tr_error_plain (err, ENOTSUP, "%s: the %s cgroup controller is not mounted on this host", field,
                           controller);
  char dir[4096];
  snprintf (dir, sizeof dir, "%s/%s", h->mountpoint, path[0] == '/' ? path + 1 : path);
  int fd = cgroupfs_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "%s: open cgroup %s", field, dir);
  return fd;
}
