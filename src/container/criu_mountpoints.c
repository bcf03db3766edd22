/* The mount points a restore needs in the rootfs (container/criu_maps.h). */
#include "config.h"
#include "container/criu_maps.h"
#include "linux/mount_flags.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/fs_safe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

static bool
type_is (const struct spec_mount *m, const char *type)
{
  return m->type && strcmp (m->type, type) == 0;
}

static bool
is_bind (const struct spec_mount *m)
{
  struct mount_options mo;
  if (type_is (m, "bind"))
    return true;
  return mount_options_parse (m->options.v, m->options.n, &mo, NULL) == 0 && (mo.flags & MS_BIND);
}

/* Is path strictly below dir ("/dev/pts" below "/dev")? */
static bool
below (const char *path, const char *dir)
{
  size_t len = strlen (dir);
  while (len > 0 && dir[len - 1] == '/')
    len--;
  return strncmp (path, dir, len) == 0 && path[len] == '/' && path[len + 1] != '\0';
}

/* Below another mount whose contents criu or the bind source provide. */
static bool
covered (const struct spec *spec, const struct spec_mount *m)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *o = &spec->mounts[i];
      if (o != m && o->destination && below (m->destination, o->destination)
          && (type_is (o, "tmpfs") || is_bind (o)))
        return true;
    }
  return false;
}

static enum mount_target_kind
kind_of (const struct spec_mount *m, const char *bundle)
{
  if (!is_bind (m) || m->source == NULL)
    return TARGET_DIR;
  cleanup_free char *src = m->source[0] == '/' ? strdup (m->source) : path_join (bundle, m->source);
  struct stat st;
  return src && stat (src, &st) == 0 && !S_ISDIR (st.st_mode) ? TARGET_FILE : TARGET_DIR;
}

int
criu_restore_mountpoints (const struct spec *spec, const char *bundle, const char *rootfs, tr_error_t *err)
{
  cleanup_close int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return tr_error (err, errno, "root.path: open %s", rootfs);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      if (m->destination == NULL || type_is (m, "cgroup") || type_is (m, "cgroup2") || covered (spec, m))
        continue;
      cleanup_close int fd = open_mount_target (rootfd, m->destination, kind_of (m, bundle), err);
      if (fd < 0)
        return tr_error_wrap (err, "mounts[%zu]: mount point %s for criu", i, m->destination);
    }
  return 0;
}
