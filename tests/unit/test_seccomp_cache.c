#include "unit.h"
#include "linux/seccomp.h"
#include "linux/seccomp_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool
same (const struct seccomp_program *a, const struct seccomp_program *b)
{
  return a && b && a->len == b->len && a->flags == b->flags
         && memcmp (a->insns, b->insns, a->len * sizeof (struct sock_filter)) == 0;
}

/* The one entry of dir, as a path. */
static void
cache_entry (const char *dir, char *path, size_t size)
{
  path[0] = '\0';
  DIR *d = opendir (dir);
  struct dirent *de;
  while (d && (de = readdir (d)))
    if (de->d_name[0] != '.')
      if (snprintf (path, size, "%s/%s", dir, de->d_name) >= (int) size)
        path[0] = '\0';
  if (d)
    closedir (d);
}

static struct seccomp_program *
through_cache (const char *root, const struct spec_seccomp *s)
{
  struct seccomp_program *p = NULL;
  tr_error_t err = NULL;
  seccomp_preload (root, s);
  if (seccomp_compile (s, &p, &err) < 0)
    tr_error_free (&err);
  return p;
}

/* A program that kills everything, whole (ending in a return) or not. */
static void
overwrite (const char *path, mode_t mode, bool whole)
{
  unlink (path);
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
  struct sock_filter kill[2] = { { BPF_RET | BPF_K, 0, 0, 0 }, { BPF_RET | BPF_K, 0, 0, 0 } };
  if (!whole)
    kill[1].code = BPF_LD | BPF_W | BPF_ABS;
  if (fd >= 0 && write (fd, kill, sizeof kill) == sizeof kill)
    fchmod (fd, mode);
  if (fd >= 0)
    close (fd);
}

/* A miss compiles and stores, a hit reads the same program back; a file
 * that is writable by others or holds no whole filter is never used. */
TEST (seccomp_cache)
{
  char *names[] = { "getpid", NULL };
  struct spec_seccomp_syscall sc = { .names = { names, 1 }, .action = "SCMP_ACT_ERRNO" };
  struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1 };
  struct seccomp_program *direct = NULL;
  tr_error_t err = NULL;
  CHECK (seccomp_compile (&s, &direct, &err) == 0);
  char root[] = "/tmp/tinyrun-unit-XXXXXX";
  CHECK (mkdtemp (root) != NULL);
  char dir[64], entry[512];
  snprintf (dir, sizeof dir, "%s/.seccomp:cache", root);

  struct seccomp_program *p = through_cache (root, &s);
  CHECK (same (p, direct));
  seccomp_program_free (p);
  cache_entry (dir, entry, sizeof entry);
  struct stat st;
  CHECK (stat (entry, &st) == 0 && st.st_size == (off_t) (direct->len * sizeof (struct sock_filter)));
  CHECK (st.st_mode % 01000 == 0600);
  p = through_cache (root, &s);
  CHECK (same (p, direct));
  seccomp_program_free (p);

  overwrite (entry, 0666, true);
  p = through_cache (root, &s);
  CHECK (same (p, direct));
  seccomp_program_free (p);
  overwrite (entry, 0600, false);
  p = through_cache (root, &s);
  CHECK (same (p, direct));
  seccomp_program_free (p);

  overwrite (entry, 0600, true); /* trusted: used as it is */
  p = through_cache (root, &s);
  CHECK (p && p->len == 2 && !same (p, direct));
  seccomp_program_free (p);

  seccomp_program_free (direct);
  unlink (entry);
  rmdir (dir);
  rmdir (root);
}

/* A miss removes the entries unused for a day (their mtime) and keeps the
 * others; a hit on an entry an hour old or more renews its mtime. */
TEST (seccomp_cache_prune)
{
  char *names[] = { "getpid", NULL }, *other[] = { "getppid", NULL };
  struct spec_seccomp_syscall sc = { .names = { names, 1 }, .action = "SCMP_ACT_ERRNO" };
  struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1 };
  char root[] = "/tmp/tinyrun-unit-XXXXXX";
  CHECK (mkdtemp (root) != NULL);
  char dir[64], entry[512], stale[600], recent[600];
  snprintf (dir, sizeof dir, "%s/.seccomp:cache", root);
  seccomp_program_free (through_cache (root, &s));
  cache_entry (dir, entry, sizeof entry);
  /* Used two hours ago: the hit renews it. */
  struct timespec two_hours[2] = { { time (NULL) - 7200, 0 }, { time (NULL) - 7200, 0 } };
  CHECK (utimensat (AT_FDCWD, entry, two_hours, 0) == 0);
  seccomp_program_free (through_cache (root, &s));
  struct stat st;
  CHECK (stat (entry, &st) == 0 && time (NULL) - st.st_mtime < 600);
  /* Two more files: one unused for two days, one for two hours. */
  snprintf (stale, sizeof stale, "%s/stale", dir);
  snprintf (recent, sizeof recent, "%s/recent", dir);
  overwrite (stale, 0600, true);
  overwrite (recent, 0600, true);
  struct timespec two_days[2] = { { time (NULL) - 2 * 86400, 0 }, { time (NULL) - 2 * 86400, 0 } };
  CHECK (utimensat (AT_FDCWD, stale, two_days, 0) == 0 && utimensat (AT_FDCWD, recent, two_hours, 0) == 0);
  /* A miss (another profile) prunes. */
  sc.names.v = other;
  seccomp_program_free (through_cache (root, &s));
  CHECK (access (stale, F_OK) < 0 && access (recent, F_OK) == 0 && access (entry, F_OK) == 0);
  DIR *d = opendir (dir);
  struct dirent *de;
  while (d && (de = readdir (d)))
    if (de->d_name[0] != '.')
      {
        char path[600];
        snprintf (path, sizeof path, "%s/%s", dir, de->d_name);
        unlink (path);
      }
  if (d)
    closedir (d);
  rmdir (dir);
  rmdir (root);
}
