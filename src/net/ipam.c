#include "config.h"
#include "net/ipam.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int
subnet_parse (const char *text, struct subnet *out, tr_error_t *err)
{
  char addr[32];
  const char *slash = strchr (text, '/');
  if (slash == NULL || (size_t) (slash - text) >= sizeof addr)
    return tr_error_plain (err, EINVAL, "--subnet: \"%s\" is not an IPv4 CIDR like 10.89.0.0/24", text);
  memcpy (addr, text, (size_t) (slash - text));
  addr[slash - text] = '\0';
  char *end;
  long prefix = strtol (slash + 1, &end, 10);
  if (inet_pton (AF_INET, addr, &out->network) != 1 || *end || prefix < 8 || prefix > 30)
    return tr_error_plain (err, EINVAL, "--subnet: \"%s\" is not an IPv4 CIDR with a prefix of 8 to 30", text);
  uint32_t mask = prefix == 0 ? 0 : ~0u << (32 - prefix);
  out->network.s_addr = htonl (ntohl (out->network.s_addr) & mask);
  out->prefix = (int) prefix;
  return 0;
}

struct in_addr
subnet_gateway (const struct subnet *s)
{
  struct in_addr gw = { htonl (ntohl (s->network.s_addr) + 1) };
  return gw;
}

int
ipam_open (struct ipam *ipam, const char *bridge, tr_error_t *err)
{
  snprintf (ipam->dir, sizeof ipam->dir, IPAM_ROOT "/%s", bridge);
  if (mkdir_p (ipam->dir, 0700, err) < 0)
    return -1;
  ipam->dirfd = open (ipam->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ipam->dirfd < 0)
    return tr_error (err, errno, "open %s", ipam->dir);
  if (flock (ipam->dirfd, LOCK_EX) < 0)
    return tr_error (err, errno, "lock %s", ipam->dir);
  return 0;
}

void
ipam_close (struct ipam *ipam)
{
  if (ipam->dirfd >= 0)
    close (ipam->dirfd);
  ipam->dirfd = -1;
}

/* Address files are named by the dotted address. */
static bool
is_address_file (const char *name)
{
  struct in_addr a;
  return inet_pton (AF_INET, name, &a) == 1;
}

/* The first file of the directory that passes `want` and holds value. */
static char *
find_file (struct ipam *ipam, bool (*want) (const char *name, const char *prefix), const char *prefix,
           const char *value)
{
  int fd = openat (ipam->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (!want (de->d_name, prefix))
        continue;
      cleanup_free char *owner = read_file_at (ipam->dirfd, de->d_name, NULL, NULL);
      if (owner && strcmp (owner, value) == 0)
        return strdup (de->d_name);
    }
  return NULL;
}

static bool
is_address_entry (const char *name, const char *prefix)
{
  (void) prefix;
  return is_address_file (name);
}

static bool
has_prefix (const char *name, const char *prefix)
{
  return strncmp (name, prefix, strlen (prefix)) == 0;
}

static char *
find_id (struct ipam *ipam, const char *id)
{
  return find_file (ipam, is_address_entry, NULL, id);
}

char *
ipam_find (struct ipam *ipam, const char *prefix, const char *value)
{
  return find_file (ipam, has_prefix, prefix, value);
}

int
ipam_forget (struct ipam *ipam, const char *prefix, const char *value, tr_error_t *err)
{
  for (char *key; (key = ipam_find (ipam, prefix, value)) != NULL; free (key))
    if (unlinkat (ipam->dirfd, key, 0) < 0 && errno != ENOENT)
      {
        tr_error (err, errno, "remove %s", key);
        free (key);
        return -1;
      }
  return 0;
}

int
ipam_allocate (struct ipam *ipam, const struct subnet *s, const char *id, struct in_addr *out, tr_error_t *err)
{
  cleanup_free char *have = find_id (ipam, id);
  if (have)
    {
      inet_pton (AF_INET, have, out);
      return 0;
    }
  uint32_t first = ntohl (s->network.s_addr) + 2, last = ntohl (s->network.s_addr) + (1u << (32 - s->prefix)) - 2;
  for (uint32_t a = first; a <= last; a++)
    {
      struct in_addr addr = { htonl (a) };
      char name[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &addr, name, sizeof name);
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
      *out = addr;
      return 0;
    }
  return tr_error_plain (err, ENOSPC, "no free address left in the subnet");
}

int
ipam_release (struct ipam *ipam, const char *id, tr_error_t *err)
{
  cleanup_free char *have = find_id (ipam, id);
  if (have && unlinkat (ipam->dirfd, have, 0) < 0 && errno != ENOENT)
    return tr_error (err, errno, "release %s", have);
  return 0;
}

bool
ipam_in_use (struct ipam *ipam)
{
  int fd = openat (ipam->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    if (is_address_file (de->d_name))
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

void
ipam_remove (struct ipam *ipam)
{
  int fd = openat (ipam->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.')
      unlinkat (ipam->dirfd, de->d_name, 0);
  rmdir (ipam->dir);
  rmdir (IPAM_ROOT); /* only when no other bridge is left */
}
