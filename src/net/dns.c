#include "config.h"
#include "net/dns.h"
#include "net/addr.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/fs_safe.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEMD_RESOLVED_UPSTREAM "/run/systemd/resolve/resolv.conf"

/* A nameserver on the host's loopback (systemd-resolved's 127.0.0.53,
 * dnsmasq on 127.0.0.1, ::1) is not reachable from the container. */
static bool
is_local (const char *server)
{
  struct ip_addr a;
  if (addr_parse (server, 0, "", &a, NULL) < 0)
    return true;
  static const uint8_t v6_loopback[16] = { [15] = 1 };
  return (a.family == AF_INET && a.b[0] == 127) || (a.family == AF_INET6 && memcmp (a.b, v6_loopback, 16) == 0);
}

struct resolv
{
  char *text;
  size_t len, size;
  int servers;
};

static int
append (struct resolv *r, const char *line)
{
  size_t n = strlen (line);
  if (r->len + n + 2 > r->size)
    {
      size_t size = (r->size + n + 2) * 2;
      char *text = realloc (r->text, size);
      if (text == NULL)
        return -1;
      r->text = text;
      r->size = size;
    }
  memcpy (r->text + r->len, line, n);
  r->len += n;
  r->text[r->len++] = '\n';
  r->text[r->len] = '\0';
  return 0;
}

/* The host file's lines: nameservers that are not local (when want_servers),
 * and search, domain and options lines (when want_rest). */
static int
take_host_lines (struct resolv *r, const char *path, bool want_servers, bool want_rest)
{
  cleanup_free char *text = read_file_at (AT_FDCWD, path, NULL, NULL);
  if (text == NULL)
    return 0;
  for (char *save = NULL, *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char server[64];
      if (sscanf (line, " nameserver %63s", server) == 1)
        {
          if (want_servers && !is_local (server))
            {
              r->servers++;
              if (append (r, line) < 0)
                return -1;
            }
        }
      else if (want_rest && (strncmp (line, "search", 6) == 0 || strncmp (line, "domain", 6) == 0
                             || strncmp (line, "options", 7) == 0))
        {
          if (append (r, line) < 0)
            return -1;
        }
    }
  return 0;
}

char *
dns_resolv_conf (const char *const *servers, size_t n, const char *host_file, const char **warning,
                 tr_error_t *err)
{
  struct resolv r = { 0 };
  *warning = NULL;
  int ok = append (&r, "# written by tinyrun-net");
  for (size_t i = 0; ok == 0 && i < n; i++)
    {
      char line[80];
      snprintf (line, sizeof line, "nameserver %s", servers[i]);
      ok = append (&r, line);
    }
  if (ok == 0)
    ok = take_host_lines (&r, host_file, n == 0, true);
  /* Only local servers: systemd-resolved keeps the upstream ones here. */
  if (ok == 0 && n == 0 && r.servers == 0)
    ok = take_host_lines (&r, SYSTEMD_RESOLVED_UPSTREAM, true, false);
  if (ok < 0)
    {
      free (r.text);
      tr_error (err, ENOMEM, "resolv.conf");
      return NULL;
    }
  if (n == 0 && r.servers == 0)
    *warning = "the host has no nameserver the container can reach (only local ones?): pass --dns";
  return r.text;
}

/* Inside the container's mount namespace: open the target and move the
 * prepared mount onto it. */
static int
bind_inside (const char *rootfs, int tree, const char **skipped, tr_error_t *err)
{
  cleanup_close int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return tr_error (err, errno, "open the rootfs %s in the container's mount namespace", rootfs);
  tr_error_t missing = NULL;
  cleanup_close int target = safe_openat (rootfd, "etc/resolv.conf", O_PATH, 0, &missing);
  struct stat st;
  if (target < 0 || fstat (target, &st) < 0 || !S_ISREG (st.st_mode))
    {
      tr_error_free (&missing);
      *skipped = "the rootfs has no /etc/resolv.conf file to bind over (add a mount of one to the config)";
      return 1;
    }
  if (sys_move_mount (tree, "", target, "", TR_MOVE_MOUNT_F_EMPTY_PATH | TR_MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return tr_error (err, errno, "bind %s/etc/resolv.conf", rootfs);
  return 0;
}

static bool
same_namespace (const char *a, const char *b)
{
  struct stat x, y;
  return stat (a, &x) == 0 && stat (b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int
dns_bind (pid_t pid, const char *rootfs, const char *file, const char **skipped, tr_error_t *err)
{
  char ns[64];
  snprintf (ns, sizeof ns, "/proc/%d/ns/mnt", (int) pid);
  *skipped = NULL;
  if (same_namespace (ns, "/proc/self/ns/mnt"))
    {
      *skipped = "the container shares the host's mount namespace";
      return 1;
    }
  cleanup_close int tree = sys_open_tree (AT_FDCWD, file, TR_OPEN_TREE_CLONE | TR_OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return tr_error (err, errno, "clone a mount of %s", file);
  struct tr_mount_attr ro = { .attr_set = 0x1 /* MOUNT_ATTR_RDONLY */ };
  if (sys_mount_setattr (tree, "", AT_EMPTY_PATH, &ro) < 0)
    return tr_error (err, errno, "make the mount of %s read-only", file);
  cleanup_close int self = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  cleanup_close int theirs = open (ns, O_RDONLY | O_CLOEXEC);
  if (self < 0 || theirs < 0 || setns (theirs, CLONE_NEWNS) < 0)
    return tr_error (err, errno, "enter %s", ns);
  int ret = bind_inside (rootfs, tree, skipped, err);
  if (setns (self, CLONE_NEWNS) < 0)
    return tr_error (err, errno, "return to the host's mount namespace");
  return ret;
}
