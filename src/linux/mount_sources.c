#include "config.h"
#include "linux/mount_sources.h"
#include "linux/idmap_mount.h"
#include "linux/mount_flags.h"
#include "linux/userns_fd.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/fs_safe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int
mount_sources_alloc (struct mount_sources *s, size_t n, tr_error_t *err)
{
  s->n = 0;
  s->fds = calloc (n ? n : 1, sizeof *s->fds);
  if (s->fds == NULL)
    return tr_error (err, ENOMEM, "mount sources");
  s->n = n;
  for (size_t i = 0; i < n; i++)
    s->fds[i] = -1;
  return 0;
}

void
mount_sources_take (struct mount_sources *s, size_t index, int fd)
{
  if (index >= s->n)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  if (s->fds[index] >= 0)
    close (s->fds[index]);
  s->fds[index] = fd;
}

int
mount_sources_get (const struct mount_sources *s, size_t index)
{
  return s && index < s->n ? s->fds[index] : -1;
}

static bool
is_bind_entry (const struct spec_mount *m, const struct mount_options *mo)
{
  return (mo->flags & MS_BIND) || (m->type && strcmp (m->type, "bind") == 0);
}

static int
open_source (int root, const struct spec_mount *m, const char *bundle, tr_error_t *err)
{
  cleanup_free char *src = m->source[0] == '/' ? strdup (m->source) : path_join (bundle, m->source);
  if (src == NULL)
    return tr_error (err, ENOMEM, "bind source");
  int fd = safe_openat (root, src, O_PATH, 0, err);
  if (fd < 0)
    return tr_error_wrap (err, "open bind source %s", src);
  return fd;
}

/* The entry's own mappings, else the container's user namespace (the
 * validator refused an idmap with neither): one joined by path (the init
 * joins it only later), or the init's own. */
static int
idmap_userns (const struct spec *spec, const struct spec_mount *m, pid_t pid, tr_error_t *err)
{
  if (m->uid_mappings.n > 0)
    return userns_fd_new (&m->uid_mappings, &m->gid_mappings, err);
  const struct spec_namespace *ns = spec_find_namespace (spec, NS_USER);
  char own[64];
  snprintf (own, sizeof own, "/proc/%d/ns/user", (int) pid);
  const char *p = ns && ns->path ? ns->path : own;
  int fd = open (p, O_RDONLY | O_CLOEXEC);
  return fd < 0 ? tr_error (err, errno, "open %s", p) : fd;
}

/* open_tree() clones only mounts of the caller's own mount namespace:
 * the source is resolved from our root, not through the init's. */
static int
open_idmapped (const struct spec *spec, const struct spec_mount *m, const struct mount_options *mo,
               const char *bundle, pid_t pid, tr_error_t *err)
{
  cleanup_close int host_root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (host_root < 0)
    return tr_error (err, errno, "open /");
  cleanup_close int src = open_source (host_root, m, bundle, err);
  if (src < 0)
    return -1;
  cleanup_close int userns = idmap_userns (spec, m, pid, err);
  if (userns < 0)
    return -1;
  struct bind_request r = {
    .src_fd = src,
    .target_fd = -1,
    .recursive = mo->flags & MS_REC,
    .set = mo->flags & ~(MS_BIND | MS_REC | MS_REMOUNT),
    .clear = mo->clear_flags,
    .rec_set = mo->rec_attr_set,
    .rec_clr = mo->rec_attr_clr,
    .rootfd = -1,
    .dst = m->destination,
  };
  return idmap_mount_clone (&r, userns, mo->ridmap, err);
}

/* An O_PATH fd on the source, or for an idmapped entry the detached
 * idmapped mount; 0 (and *fd -1) for an entry that is no bind mount.  A
 * bad option is not reported here: the init reports it, naming the entry. */
static int
open_entry (int root, const struct spec *spec, size_t i, const char *bundle, pid_t pid, int *fd, tr_error_t *err)
{
  const struct spec_mount *m = &spec->mounts[i];
  struct mount_options mo;
  *fd = -1;
  if (mount_options_parse (m->options.v, m->options.n, &mo, NULL) < 0 || !is_bind_entry (m, &mo) || !m->source)
    return 0;
  if (idmap_mount_wanted (m, &mo))
    *fd = open_idmapped (spec, m, &mo, bundle, pid, err);
  else
    *fd = open_source (root, m, bundle, err);
  return *fd < 0 ? -1 : 0;
}

int
mount_sources_open (const struct spec *spec, const char *bundle, pid_t pid, struct mount_sources *out,
                    tr_error_t *err)
{
  char p[64];
  snprintf (p, sizeof p, "/proc/%d/root", (int) pid);
  cleanup_close int root = open (p, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return tr_error (err, errno, "open %s", p);
  if (mount_sources_alloc (out, spec->n_mounts, err) < 0)
    return -1;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      int fd;
      if (open_entry (root, spec, i, bundle, pid, &fd, err) < 0)
        {
          mount_sources_close (out);
          return tr_error_wrap (err, "mounts[%zu] (%s)", i, m->destination);
        }
      out->fds[i] = fd;
    }
  return 0;
}

void
mount_sources_close (struct mount_sources *s)
{
  for (size_t i = 0; s->fds && i < s->n; i++)
    if (s->fds[i] >= 0)
      close (s->fds[i]);
  free (s->fds);
  s->fds = NULL;
  s->n = 0;
}
