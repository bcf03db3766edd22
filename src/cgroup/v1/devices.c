/* cgroup v1 devices controller: deny everything, then the rules in order. */
#include "config.h"
#include "cgroup/internal.h"
#include "cgroup/v1/controllers.h"
#include "cgroup/v1/hierarchies.h"
#include "util/cleanup.h"

#include <inttypes.h>
#include <stdio.h>

#define FIELD "linux.resources.devices"

static int
write_rule (int fd, const struct spec_device_rule *r, size_t index, tr_error_t *err)
{
  char major[24] = "*", minor[24] = "*", field[64];
  if (r->major.set && r->major.v >= 0)
    snprintf (major, sizeof major, "%" PRId64, r->major.v);
  if (r->minor.set && r->minor.v >= 0)
    snprintf (minor, sizeof minor, "%" PRId64, r->minor.v);
  snprintf (field, sizeof field, FIELD "[%zu]", index);
  const char *type = r->type ? r->type : "a";
  const char *access = r->access && r->access[0] ? r->access : "rwm";
  /* "a" means every device; the kernel wants it without numbers. */
  if (type[0] == 'a')
    return cgroup_set (fd, r->allow ? "devices.allow" : "devices.deny", field, "a", err);
  return cgroup_setf (fd, r->allow ? "devices.allow" : "devices.deny", field, err, "%s %s:%s %s", type, major, minor,
                      access);
}

int
v1_apply_devices (const char *path, const struct spec_resources *res, tr_error_t *err)
{
  cleanup_close int fd = v1_open ("devices", path, FIELD, err);
  if (fd < 0)
    return -1;
  if (cgroup_set (fd, "devices.deny", FIELD, "a", err) < 0)
    return -1;
  for (size_t i = 0; i < res->n_devices; i++)
    if (write_rule (fd, &res->devices[i], i, err) < 0)
      return -1;
  struct spec_device_rule defaults[16];
  size_t n = cgroup_default_device_rules (res, defaults, 16);
  for (size_t i = 0; i < n; i++)
    if (write_rule (fd, &defaults[i], i, err) < 0)
      return tr_error_wrap (err, "default device rule");
  return 0;
}
