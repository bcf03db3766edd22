#include "config.h"
#include "net/ipam.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int
lock_dir (struct ipam *ipam, tr_error_t *err)
{
  ipam->dirfd = open (ipam->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ipam->dirfd < 0)
    return tr_error (err, errno, "open %s", ipam->dir);
  if (flock (ipam->dirfd, LOCK_EX) < 0)
    return tr_error (err, errno, "lock %s", ipam->dir);
  return 0;
}

int
ipam_open (struct ipam *ipam, const char *bridge, tr_error_t *err)
{
  snprintf (ipam->dir, sizeof ipam->dir, IPAM_ROOT "/%s", bridge);
  for (;;)
    {
      if (mkdir_p (ipam->dir, 0700, err) < 0 || lock_dir (ipam, err) < 0)
        return -1;
      /* A `down` of the last container may have removed the directory
       * while we waited for the lock: start again on a new one. */
      struct stat st;
      if (fstat (ipam->dirfd, &st) == 0 && st.st_nlink > 0)
        return 0;
      ipam_close (ipam);
    }
}

int
ipam_open_existing (struct ipam *ipam, const char *bridge, tr_error_t *err)
{
  snprintf (ipam->dir, sizeof ipam->dir, IPAM_ROOT "/%s", bridge);
  if (access (ipam->dir, F_OK) < 0 && errno == ENOENT)
    return 1;
  if (lock_dir (ipam, err) < 0)
    {
      if (errno != ENOENT)
        return -1;
      tr_error_free (err);
      return 1;
    }
  struct stat st;
  if (fstat (ipam->dirfd, &st) == 0 && st.st_nlink == 0)
    {
      ipam_close (ipam);
      return 1;
    }
  return 0;
}

void
ipam_close (struct ipam *ipam)
{
  if (ipam->dirfd >= 0)
    close (ipam->dirfd);
  ipam->dirfd = -1;
}

/* Lease files are named by the address; family 0: either. */
static bool
is_lease (const char *name, int family)
{
  struct ip_addr a;
  return addr_parse (name, family, "", &a, NULL) == 0;
}

static DIR *
open_listing (struct ipam *ipam)
{
  int fd = openat (ipam->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL && fd >= 0)
    close (fd);
  return d;
}

static bool
has_prefix (const char *name, const char *prefix)
{
  return strncmp (name, prefix, strlen (prefix)) == 0;
}

/* The id's lease of the family (0: either), or NULL. */
static char *
find_lease (struct ipam *ipam, int family, const char *id)
{
  cleanup_dir DIR *d = open_listing (ipam);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (!is_lease (de->d_name, family))
        continue;
      cleanup_free char *owner = read_file_at (ipam->dirfd, de->d_name, NULL, NULL);
      if (owner && strcmp (owner, id) == 0)
        return strdup (de->d_name);
    }
  return NULL;
}

char *
ipam_find (struct ipam *ipam, const char *prefix, const char *value)
{
  cleanup_dir DIR *d = open_listing (ipam);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (!has_prefix (de->d_name, prefix))
        continue;
      cleanup_free char *owner = read_file_at (ipam->dirfd, de->d_name, NULL, NULL);
      if (owner && strcmp (owner, value) == 0)
        return strdup (de->d_name);
    }
  return NULL;
}

void
ipam_each (struct ipam *ipam, const char *prefix, void (*fn) (const char *name, const char *value, void *data),
           void *data)
{
  cleanup_dir DIR *d = open_listing (ipam);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' || !has_prefix (de->d_name, prefix))
        continue;
      cleanup_free char *value = read_file_at (ipam->dirfd, de->d_name, NULL, NULL);
      if (value)
        fn (de->d_name, value, data);
    }
}

/* Remove, in one pass over the directory, every record that named
 * accepts (with arg) and whose content is value. */
static int
remove_matching (struct ipam *ipam, bool (*named) (const char *name, const char *arg), const char *arg,
                 const char *value, const char *what, tr_error_t *err)
{
  cleanup_dir DIR *d = open_listing (ipam);
  if (d == NULL)
    return tr_error (err, errno, "list %s", ipam->dir);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' || !named (de->d_name, arg))
        continue;
      cleanup_free char *owner = read_file_at (ipam->dirfd, de->d_name, NULL, NULL);
      if (owner && strcmp (owner, value) == 0 && unlinkat (ipam->dirfd, de->d_name, 0) < 0 && errno != ENOENT)
        return tr_error (err, errno, "%s %s", what, de->d_name);
    }
  return 0;
}

int
ipam_forget (struct ipam *ipam, const char *prefix, const char *value, tr_error_t *err)
{
  return remove_matching (ipam, has_prefix, prefix, value, "remove", err);
}

int
ipam_claim (struct ipam *ipam, const char *key, const char *value, char **owner, tr_error_t *err)
{
  *owner = NULL;
  int fd = openat (ipam->dirfd, key, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      if (errno != EEXIST)
        return tr_error (err, errno, "reserve %s", key);
      char *have = read_file_at (ipam->dirfd, key, NULL, NULL);
      if (have && strcmp (have, value) == 0)
        {
          free (have);
          return 0;
        }
      *owner = have;
      errno = EEXIST;
      return -1;
    }
  int ok = write_all_fd (fd, value, strlen (value), err);
  close (fd);
  if (ok < 0)
    unlinkat (ipam->dirfd, key, 0);
  return ok;
}

static int
allocate_static (struct ipam *ipam, const struct subnet *s, const char *id, const struct ip_addr *want,
                 struct ip_addr *out, tr_error_t *err)
{
  char name[ADDR_TEXT], net[ADDR_TEXT + 4];
  int64_t n = subnet_index (s, want);
  addr_format (want, name);
  if (n < 2 || n > (int64_t) subnet_last (s))
    return tr_error_plain (err, EINVAL, "--ip: %s is not a host address of %s (the gateway is index 1)", name,
                           subnet_format (s, net));
  cleanup_free char *owner = NULL;
  if (ipam_claim (ipam, name, id, &owner, err) < 0)
    {
      if (owner == NULL)
        return -1;
      return tr_error_plain (err, EADDRINUSE, "--ip: %s is in use by container %s", name, owner);
    }
  *out = *want;
  return 0;
}

int
ipam_allocate (struct ipam *ipam, const struct subnet *s, const char *id, const struct ip_addr *want,
               struct ip_addr *out, tr_error_t *err)
{
  cleanup_free char *have = find_lease (ipam, s->net.family, id);
  if (have)
    return addr_parse (have, s->net.family, "lease", out, err);
  if (want && want->family)
    return allocate_static (ipam, s, id, want, out, err);
  uint32_t last = subnet_last (s);
  for (uint32_t n = 2; n <= last; n++)
    {
      struct ip_addr a = subnet_at (s, n);
      char name[ADDR_TEXT];
      addr_format (&a, name);
      int fd = openat (ipam->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          if (errno == EEXIST)
            continue;
          return tr_error (err, errno, "reserve %s", name);
        }
      int ok = write_all_fd (fd, id, strlen (id), err);
      close (fd);
      if (ok < 0)
        return -1;
      *out = a;
      return 0;
    }
  char net[ADDR_TEXT + 4];
  return tr_error_plain (err, ENOSPC, "no free address left in the subnet %s", subnet_format (s, net));
}

static bool
lease_named (const char *name, const char *unused)
{
  (void) unused;
  return is_lease (name, 0);
}

int
ipam_release (struct ipam *ipam, const char *id, tr_error_t *err)
{
  return remove_matching (ipam, lease_named, NULL, id, "release", err);
}

bool
ipam_in_use (struct ipam *ipam)
{
  cleanup_dir DIR *d = open_listing (ipam);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    if (is_lease (de->d_name, 0))
      return true;
  return false;
}

int
ipam_put (struct ipam *ipam, const char *key, const char *value, tr_error_t *err)
{
  return write_file_atomic_at (ipam->dirfd, key, value, strlen (value), 0600, err);
}

char *
ipam_get (struct ipam *ipam, const char *key)
{
  return read_file_at (ipam->dirfd, key, NULL, NULL);
}

int
ipam_del (struct ipam *ipam, const char *key, tr_error_t *err)
{
  if (unlinkat (ipam->dirfd, key, 0) < 0 && errno != ENOENT)
    return tr_error (err, errno, "remove %s/%s", ipam->dir, key);
  return 0;
}

void
ipam_remove (struct ipam *ipam)
{
  cleanup_dir DIR *d = open_listing (ipam);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.')
      unlinkat (ipam->dirfd, de->d_name, 0);
  rmdir (ipam->dir);
  rmdir (IPAM_ROOT); /* only when no other bridge is left */
}

char *
ipam_elsewhere (const char *bridge, const char *key, bool (*match) (const char *value, void *data), void *data,
                char **where)
{
  *where = NULL;
  cleanup_dir DIR *d = opendir (IPAM_ROOT);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' || strcmp (de->d_name, bridge) == 0)
        continue;
      char path[512];
      snprintf (path, sizeof path, IPAM_ROOT "/%s/%s", de->d_name, key);
      cleanup_free char *value = read_file_at (AT_FDCWD, path, NULL, NULL);
      if (value && (match == NULL || match (value, data)))
        {
          *where = strdup (de->d_name);
          return steal_ptr (&value);
        }
    }
  return NULL;
}
