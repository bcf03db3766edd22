#include "config.h"
#include "container/criu_maps.h"
#include "cgroup/mount_plan.h"
#include "linux/mount_flags.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <fcntl.h>
#include <unistd.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* The devices every container gets (linux/devices.c), plus linux.devices. */
static const char *const default_devices[] = { "/dev/null", "/dev/zero", "/dev/full",
                                               "/dev/random", "/dev/urandom", "/dev/tty" };

static char *
own (struct criu_maps *m, const char *s, tr_error_t *err)
{
  char **v = realloc (m->owned, (m->n_owned + 1) * sizeof *v);
  if (v == NULL)
    {
      tr_error (err, ENOMEM, "criu options");
      return NULL;
    }
  m->owned = v;
  char *copy = strdup (s);
  if (copy == NULL)
    tr_error (err, ENOMEM, "criu options");
  else
    m->owned[m->n_owned++] = copy;
  return copy;
}

int
criu_maps_external (struct criu_maps *m, const char *kind, const char *key, const char *value, tr_error_t *err)
{
  struct criu_external *v = realloc (m->ext, (m->n_ext + 1) * sizeof *v);
  if (v == NULL)
    return tr_error (err, ENOMEM, "criu options");
  m->ext = v;
  const char *k = own (m, key, err), *val = k && value ? own (m, value, err) : NULL;
  if (k == NULL || (value && val == NULL))
    return -1;
  m->ext[m->n_ext++] = (struct criu_external){ .kind = kind, .key = k, .value = val };
  return 0;
}

int
criu_maps_inherit (struct criu_maps *m, int fd, const char *key, tr_error_t *err)
{
  struct criu_inherit *v = realloc (m->inh, (m->n_inh + 1) * sizeof *v);
  if (v == NULL)
    return tr_error (err, ENOMEM, "criu options");
  m->inh = v;
  const char *k = own (m, key, err);
  if (k == NULL)
    return -1;
  m->inh[m->n_inh++] = (struct criu_inherit){ .fd = fd, .key = k };
  return 0;
}

int
criu_maps_terminal_dump (struct criu_maps *m, pid_t pid, int image_fd, tr_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/fd/0", (int) pid);
  struct stat st;
  if (stat (path, &st) < 0)
    return tr_error (err, errno, "process.terminal: stat the init's stdin %s", path);
  if (!S_ISCHR (st.st_mode))
    return tr_error_plain (err, ENOTTY, "process.terminal: the init's stdin is no terminal");
  char id[64], name[80];
  snprintf (id, sizeof id, "%llx:%llx", (unsigned long long) st.st_rdev, (unsigned long long) st.st_dev);
  snprintf (name, sizeof name, "tty[%s]", id);
  if (criu_maps_external (m, "tty", id, NULL, err) < 0
      || criu_maps_external (m, "mnt", "/dev/console", "/dev/console", err) < 0)
    return -1;
  return write_file_atomic_at (image_fd, CRIU_TTY_FILE, name, strlen (name), 0600, err);
}

int
criu_maps_terminal_restore (struct criu_maps *m, int image_fd, int slave, const char *slave_path, tr_error_t *err)
{
  size_t len;
  cleanup_free char *name = read_file_at (image_fd, CRIU_TTY_FILE, &len, err);
  if (name == NULL)
    return tr_error_wrap (err, "process.terminal: the checkpoint has no terminal");
  if (len < 6 || strncmp (name, "tty[", 4) != 0 || name[len - 1] != ']' || strchr (name, '\n'))
    return tr_error_plain (err, EINVAL, "%s: \"%.40s\" names no tty", CRIU_TTY_FILE, name);
  if (criu_maps_inherit (m, slave, name, err) < 0)
    return -1;
  return criu_maps_external (m, "mnt", "/dev/console", slave_path, err);
}

static bool
is_bind (const struct spec_mount *mnt)
{
  struct mount_options mo;
  if (mount_options_parse (mnt->options.v, mnt->options.n, &mo, NULL) < 0)
    return false;
  return (mo.flags & MS_BIND) || (mnt->type && strcmp (mnt->type, "bind") == 0);
}

static bool
is_cgroup (const struct spec_mount *mnt)
{
  return mnt->type && (strcmp (mnt->type, "cgroup") == 0 || strcmp (mnt->type, "cgroup2") == 0);
}

/* Without a cgroup namespace a cgroup mount is the container's own cgroup
 * directories bind-mounted (linux/cgroup_mount.h). */
static int
cgroup_mounts (struct criu_maps *m, const struct spec_mount *mnt, const char *cgroup_path, bool restore,
               tr_error_t *err)
{
  struct cgroup_mount_plan plan __attribute__ ((cleanup (cgroup_mount_plan_clear))) = { 0 };
  if (cgroup_path == NULL || cgroup_path[0] == '\0' || cgroup_mount_plan_make (cgroup_path, &plan, err) < 0)
    return cgroup_path && cgroup_path[0] ? -1 : 0;
  for (size_t i = 0; i < plan.n; i++)
    {
      cleanup_free char *dst = plan.v[i].subdir ? path_join (mnt->destination, plan.v[i].subdir)
                                                : strdup (mnt->destination);
      if (dst == NULL)
        return tr_error (err, ENOMEM, "criu options");
      if (criu_maps_external (m, "mnt", dst, restore ? plan.v[i].host_dir : dst, err) < 0)
        return -1;
    }
  return 0;
}

static int
bind_mount (struct criu_maps *m, const struct spec_mount *mnt, const char *bundle, bool restore, tr_error_t *err)
{
  if (!restore)
    return criu_maps_external (m, "mnt", mnt->destination, mnt->destination, err);
  const char *src = mnt->source ? mnt->source : "";
  cleanup_free char *abs = src[0] == '/' ? strdup (src) : path_join (bundle, src);
  if (abs == NULL)
    return tr_error (err, ENOMEM, "criu options");
  return criu_maps_external (m, "mnt", mnt->destination, abs, err);
}

/* Masked files are /dev/null bind-mounted: one name for all of them. */
static int
masked_files (struct criu_maps *m, const struct spec_linux *l, pid_t pid, bool restore, tr_error_t *err)
{
  if (l == NULL || l->masked_paths.n == 0)
    return 0;
  /* On restore the name "/dev/null" is mapped with the devices. */
  if (restore)
    return 0;
  for (size_t i = 0; i < l->masked_paths.n; i++)
    {
      char path[4096];
      struct stat st;
      snprintf (path, sizeof path, "/proc/%d/root%s", (int) pid, l->masked_paths.v[i]);
      if (stat (path, &st) < 0 || S_ISDIR (st.st_mode))
        continue;
      if (criu_maps_external (m, "mnt", l->masked_paths.v[i], "/dev/null", err) < 0)
        return -1;
    }
  return 0;
}

static int
devices (struct criu_maps *m, const struct spec_linux *l, tr_error_t *err)
{
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
    if (criu_maps_external (m, "mnt", default_devices[i], default_devices[i], err) < 0)
      return -1;
  for (size_t i = 0; l && i < l->n_devices; i++)
    if (criu_maps_external (m, "mnt", l->devices[i].path, l->devices[i].path, err) < 0)
      return -1;
  return 0;
}

int
criu_maps_mounts (struct criu_maps *m, const struct spec *spec, const char *bundle, const char *cgroup_path,
                  pid_t pid, bool restore, tr_error_t *err)
{
  bool cgroup_ns = spec_find_namespace (spec, NS_CGROUP) != NULL;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *mnt = &spec->mounts[i];
      if (is_cgroup (mnt) && !cgroup_ns && cgroup_mounts (m, mnt, cgroup_path, restore, err) < 0)
        return -1;
      if (!is_cgroup (mnt) && is_bind (mnt) && bind_mount (m, mnt, bundle, restore, err) < 0)
        return -1;
    }
  if (masked_files (m, spec->linux_, pid, restore, err) < 0)
    return -1;
  return devices (m, spec->linux_, err);
}

unsigned
criu_flags_of (const struct criu_common_options *c)
{
  return (c->tcp_established ? CRIU_TCP_ESTABLISHED : 0) | (c->ext_unix_sk ? CRIU_EXT_UNIX_SK : 0)
         | (c->shell_job ? CRIU_SHELL_JOB : 0) | (c->file_locks ? CRIU_FILE_LOCKS : 0)
         | (c->auto_dedup ? CRIU_AUTO_DEDUP : 0) | (c->lazy_pages ? CRIU_LAZY_PAGES : 0);
}

int
criu_dirs (const struct criu_common_options *c, char **image, char **work, tr_error_t *err)
{
  *image = make_absolute (c->image_path ? c->image_path : "checkpoint", err);
  if (*image == NULL)
    return -1;
  *work = c->work_path ? make_absolute (c->work_path, err) : strdup (*image);
  if (*work == NULL)
    return tr_error (err, ENOMEM, "work path");
  if (mkdir_p (*image, 0700, err) < 0 || mkdir_p (*work, 0700, err) < 0)
    return -1;
  return 0;
}

void
criu_maps_clear (struct criu_maps *m)
{
  for (size_t i = 0; i < m->n_owned; i++)
    free (m->owned[i]);
  free (m->owned);
  free (m->ext);
  free (m->inh);
  *m = (struct criu_maps){ 0 };
}
