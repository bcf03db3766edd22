#include "config.h"
#include "linux/host_mounts.h"
#include "linux/mountinfo.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/fs_safe.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

void
host_mounts_clear (struct host_mounts *m)
{
  free (m->ids);
  m->ids = NULL;
  m->n = 0;
}

static int
compare_ids (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

/* The lists are kept sorted, so that a lookup is a binary search and
 * comparing two lists of N mounts costs N log N, not N * N. */
static void
sort_ids (struct host_mounts *m)
{
  if (m->n > 1)
    qsort (m->ids, m->n, sizeof *m->ids, compare_ids);
}

static bool
contains (const struct host_mounts *m, int id)
{
  return m && m->n && bsearch (&id, m->ids, m->n, sizeof *m->ids, compare_ids) != NULL;
}

/* Is mountpoint rootfs or below it?  ("/" has everything below it.) */
static bool
below (const char *mountpoint, const char *rootfs)
{
  size_t len = strlen (rootfs);
  while (len > 1 && rootfs[len - 1] == '/')
    len--;
  if (len == 1 && rootfs[0] == '/')
    return true;
  return strncmp (mountpoint, rootfs, len) == 0 && (mountpoint[len] == '\0' || mountpoint[len] == '/');
}

/* The mounts at or below rootfs, less those in skip, sorted by id. */
static int
list_except (const char *rootfs, const struct host_mounts *skip, struct host_mounts *out, tr_error_t *err)
{
  cleanup_mountinfo struct mountinfo info = { 0 };
  if (mountinfo_read (&info, err) < 0)
    return -1;
  out->n = 0;
  out->ids = calloc (info.n + 1, sizeof *out->ids);
  if (out->ids == NULL)
    return tr_error (err, ENOMEM, "mount list");
  for (size_t i = 0; i < info.n; i++)
    if (below (info.v[i].mountpoint, rootfs) && !contains (skip, info.v[i].id))
      out->ids[out->n++] = info.v[i].id;
  sort_ids (out);
  return 0;
}

int
host_mounts_list (const char *rootfs, struct host_mounts *out, tr_error_t *err)
{
  return list_except (rootfs, NULL, out, err);
}

int
host_mounts_record (int dirfd, const char *rootfs, const struct host_mounts *before, tr_error_t *err)
{
  cleanup_host_mounts struct host_mounts made = { 0 };
  if (list_except (rootfs, before, &made, err) < 0)
    return -1;
  size_t size = made.n * 12 + 1;
  cleanup_free char *text = malloc (size);
  if (text == NULL)
    return tr_error (err, ENOMEM, "mount list");
  size_t used = 0;
  text[0] = '\0';
  for (size_t i = 0; i < made.n; i++)
    used += (size_t) snprintf (text + used, size - used, "%d\n", made.ids[i]);
  return write_file_atomic_at (dirfd, HOST_MOUNTS_FILE, text, used, 0600, err);
}

/* Detach the mount `id` at mountpoint: through an fd on the mount point,
 * after checking that this is still mount `id` (a mount stacked on it
 * since, or a path changed, is left alone). */
static int
detach (const char *mountpoint, int id, tr_error_t *err)
{
  cleanup_close int fd = open (mountpoint, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : tr_error (err, errno, "open mount point %s", mountpoint);
  struct statx stx;
  if (statx (fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == 0 && (stx.stx_mask & STATX_MNT_ID)
      && stx.stx_mnt_id != (unsigned long long) id)
    {
      log_debug ("%s is no longer mount %d: left alone", mountpoint, id);
      return 0;
    }
  char p[64];
  if (umount2 (fd_path (fd, p), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return tr_error (err, errno, "unmount %s", mountpoint);
  return 0;
}

static int
release (const char *rootfs, const struct host_mounts *made, tr_error_t *err)
{
  cleanup_mountinfo struct mountinfo info = { 0 };
  if (mountinfo_read (&info, err) < 0)
    return -1;
  /* Lines come in mount order: walking them backwards unmounts children
   * before their parents. */
  for (size_t i = info.n; i-- > 0;)
    {
      const struct mountinfo_entry *e = &info.v[i];
      if (contains (made, e->id) && below (e->mountpoint, rootfs) && detach (e->mountpoint, e->id, err) < 0)
        return -1;
    }
  return 0;
}

int
host_mounts_release_new (const char *rootfs, const struct host_mounts *before, tr_error_t *err)
{
  cleanup_host_mounts struct host_mounts made = { 0 };
  if (list_except (rootfs, before, &made, err) < 0)
    return -1;
  return release (rootfs, &made, err);
}

static int
parse_ids (const char *text, struct host_mounts *out, tr_error_t *err)
{
  size_t lines = 1;
  for (const char *s = text; *s; s++)
    lines += *s == '\n';
  out->ids = calloc (lines, sizeof *out->ids);
  if (out->ids == NULL)
    return tr_error (err, ENOMEM, "mount list");
  for (const char *s = text; *s;)
    {
      char *end;
      long id = strtol (s, &end, 10);
      if (end == s || (*end != '\n' && *end != '\0') || id < 0)
        return tr_error_plain (err, EINVAL, "%s: bad line", HOST_MOUNTS_FILE);
      out->ids[out->n++] = (int) id;
      s = *end ? end + 1 : end;
    }
  sort_ids (out);
  return 0;
}

int
host_mounts_release_recorded (int dirfd, const char *rootfs, tr_error_t *err)
{
  size_t len;
  cleanup_free char *text = read_file_at (dirfd, HOST_MOUNTS_FILE, &len, err);
  if (text == NULL && (*err)->status == ENOENT)
    {
      tr_error_ignore (err, "no mounts recorded");
      return 0;
    }
  if (text == NULL)
    return -1;
  cleanup_host_mounts struct host_mounts made = { 0 };
  if (parse_ids (text, &made, err) < 0)
    return -1;
  return release (rootfs, &made, err);
}
