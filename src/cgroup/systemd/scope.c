/* The systemd driver: the container's cgroup is a transient scope unit
 * that systemd makes, with Delegate=yes; what systemd has properties for
 * goes to the unit as well as to the files, the rest to the files only
 * (the v1/v2 drivers).  docs/cgroups.md says which writer owns which
 * file. */
#include "config.h"
#include "cgroup/root_fd.h"
#include "cgroup/internal.h"
#include "cgroup/systemd/dbus.h"
#include "cgroup/systemd/properties.h"
#include "cgroup/systemd/unit_path.h"
#include "linux/rootless.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool
on_v2 (void)
{
  return cgroup_layout () == CGROUP_LAYOUT_UNIFIED;
}

char *
cgroup_systemd_resolve (const char *cgroups_path, const char *id, tr_error_t *err)
{
  cleanup_systemd_unit_path struct systemd_unit_path up = { 0 };
  if (systemd_unit_path_parse (cgroups_path, id, rootless (), &up, err) < 0)
    return NULL;
  cleanup_sd_bus sd_bus *bus = NULL;
  if (systemd_bus_open (&bus, err) < 0)
    return NULL;
  cleanup_free char *base = systemd_manager_cgroup (bus, err);
  if (base == NULL)
    return NULL;
  char *out = NULL;
  if (asprintf (&out, "%s%s/%s", base, up.dir, up.unit) < 0)
    {
      tr_error (err, ENOMEM, "linux.cgroupsPath");
      return NULL;
    }
  return out;
}

/* The unit and slice of a path cgroup_systemd_resolve made. */
static int
unit_of (const char *path, const char **unit, char *slice, size_t size, tr_error_t *err)
{
  if (!systemd_unit_of_cgroup (path, unit, slice, size))
    return tr_error_plain (err, EINVAL, "--systemd-cgroup: cgroup %s is not a scope unit's", path);
  return 0;
}

int
cgroup_systemd_create (const char *path, tr_error_t *err)
{
  const char *unit;
  char slice[256];
  if (unit_of (path, &unit, slice, sizeof slice, err) < 0)
    return -1;
  cleanup_sd_bus sd_bus *bus = NULL;
  if (systemd_bus_open (&bus, err) < 0)
    return -1;
  return systemd_refuse_existing (bus, unit, err);
}

/* After systemd placed the init in the scope: the files systemd does not
 * write (all of them are written, as runc does, so that the values are in
 * place at once and those without a property are there at all). */
static int
apply_files (const char *path, const struct spec_resources *res, pid_t pid, tr_error_t *err)
{
  if (on_v2 ())
    return res ? cgroup_v2_apply_path (cgroup_v2_mountpoint (), path, res, false, err) : 0;
  /* v1: systemd made the scope in the hierarchies it manages (memory,
   * cpu, blkio, pids, devices, ...); the others get the same directory
   * from us, and the init joins them. */
  size_t existing = 0;
  if (cgroup_v1_create (path, &existing, err) < 0 || cgroup_v1_enter (path, pid, err) < 0)
    return -1;
  return res ? cgroup_v1_apply (path, res, false, err) : 0;
}

int
cgroup_systemd_enter (const char *path, const struct spec_resources *res, pid_t pid, tr_error_t *err)
{
  const char *unit;
  char slice[256];
  if (unit_of (path, &unit, slice, sizeof slice, err) < 0)
    return -1;
  struct systemd_props props = { .n = 0 };
  if (systemd_props_from_resources (res, on_v2 (), NULL, &props, err) < 0)
    return -1;
  cleanup_sd_bus sd_bus *bus = NULL;
  if (systemd_bus_open (&bus, err) < 0)
    return -1;
  char description[300];
  snprintf (description, sizeof description, "tinyrun container %s", unit);
  struct systemd_scope scope = {
    .unit = unit, .slice = slice, .description = description, .pid = pid, .v2 = on_v2 (), .props = &props,
  };
  if (systemd_start_scope (bus, &scope, err) < 0)
    return -1;
  return apply_files (path, res, pid, err);
}

/* The scope's cpu.max now, for an update of one half of it (v2 only). */
static char *
cpu_max_now (const char *path, const struct spec_resources *res)
{
  if (!on_v2 () || res->cpu == NULL)
    return NULL;
  cleanup_free char *dir = path_join (cgroup_v2_mountpoint (), path);
  cleanup_close int fd = dir ? cgroupfs_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  return fd >= 0 ? read_file_at (fd, "cpu.max", NULL, NULL) : NULL;
}

int
cgroup_systemd_update (const char *path, const struct spec_resources *res, tr_error_t *err)
{
  const char *unit;
  char slice[256];
  if (unit_of (path, &unit, slice, sizeof slice, err) < 0)
    return -1;
  cleanup_free char *cpu_max = cpu_max_now (path, res);
  struct systemd_props props = { .n = 0 };
  if (systemd_props_from_resources (res, on_v2 (), cpu_max, &props, err) < 0)
    return -1;
  cleanup_sd_bus sd_bus *bus = NULL;
  if (systemd_bus_open (&bus, err) < 0)
    return -1;
  /* The files first: the drivers refuse what the kernel would (a limit
   * below the usage, say) before the unit is told anything. */
  int ret = on_v2 () ? cgroup_v2_apply_path (cgroup_v2_mountpoint (), path, res, true, err)
                     : cgroup_v1_apply (path, res, true, err);
  if (ret < 0)
    return -1;
  return systemd_set_properties (bus, unit, &props, err);
}

int
cgroup_systemd_destroy (const char *path, tr_error_t *err)
{
  const char *unit;
  char slice[256];
  if (unit_of (path, &unit, slice, sizeof slice, err) < 0)
    return -1;
  /* Kill (and thaw) first, so that stopping the unit has nothing to wait
   * for. */
  const char *v2 = cgroup_v2_mountpoint ();
  if (v2 && cgroup_v2_destroy (v2, path, false, err) < 0)
    return -1;
  if (!on_v2 () && cgroup_v1_destroy (path, false, err) < 0)
    return -1;
  cleanup_sd_bus sd_bus *bus = NULL;
  if (systemd_bus_open (&bus, err) < 0 || systemd_stop_unit (bus, unit, err) < 0)
    return -1;
  /* v1: systemd removed its hierarchies' directories; ours go now. */
  return on_v2 () ? 0 : cgroup_v1_destroy (path, true, err);
}

/* The scope in path ("/.../x.scope" or "/.../x.scope/sub"): its unit name
 * into unit, and the rest ("" or "/sub") at *sub. */
static int
scope_and_sub (const char *path, char *unit, size_t size, const char **sub, tr_error_t *err)
{
  for (const char *p = path; *p;)
    {
      while (*p == '/')
        p++;
      size_t len = strcspn (p, "/");
      if (len > strlen (".scope") && strncmp (p + len - strlen (".scope"), ".scope", strlen (".scope")) == 0
          && len < size)
        {
          snprintf (unit, size, "%.*s", (int) len, p);
          *sub = p + len;
          return 0;
        }
      p += len;
    }
  return tr_error_plain (err, EINVAL, "--systemd-cgroup: cgroup %s is not a scope unit's", path);
}

int
cgroup_systemd_attach (const char *path, pid_t pid, tr_error_t *err)
{
  char unit[256];
  const char *sub = "";
  if (scope_and_sub (path, unit, sizeof unit, &sub, err) < 0)
    return -1;
  cleanup_sd_bus sd_bus *bus = NULL;
  if (systemd_bus_open (&bus, err) < 0 || systemd_attach_processes (bus, unit, sub, pid, err) < 0)
    return tr_error_wrap (err, "cgroup %s", path);
  return 0;
}
