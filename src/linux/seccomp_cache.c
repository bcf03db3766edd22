/* Compiled seccomp filters, cached by content under the state root, as
 * crun does: <root>/.seccomp:cache/<sha256>.  The digest covers every
 * field of linux.seccomp that the compiler reads (strings length-prefixed,
 * so that no two profiles serialise alike), the native architecture,
 * libseccomp's version and the kernel API level it detected.  A file holds
 * the exported BPF program only (the filter flags come from the spec); it
 * is written atomically, and read only if it and its directory are owned
 * by our effective uid and writable by nobody else.  The kernel checks the
 * program again when the init loads it.
 *
 * Pruning, off the hot path: a file's mtime says when it was last used (a
 * hit sets it again when it is an hour old, one futimens an hour at most);
 * a miss, which compiles anyway, then removes the files (and leftover
 * temporary files) unused for a day. */
#include "config.h"
#include "linux/seccomp.h"
#include "linux/seccomp_internal.h"
#include "util/cleanup.h"
#include "util/decimal.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Skipped by `list` (a dot) and no container's id (a colon). */
#define CACHE_DIR ".seccomp:cache"
#define MAX_INSNS 65535
/* Seconds: a used file's mtime is renewed when older than REFRESH_AGE,
 * an unused one is removed when older than PRUNE_AGE. */
#define REFRESH_AGE (60 * 60)
#define PRUNE_AGE (24 * 60 * 60)

static const struct spec_seccomp *preloaded_spec;
static struct seccomp_program *preloaded;

/* v in decimal and ";" (the digest's format since the first cache), by
 * hand: a profile hashes some 800 numbers, and snprintf for each was most
 * of the time of a cache hit. */
static void
hash_u64 (struct sha256 *h, uint64_t v)
{
  char buf[DECIMAL_MAX_DIGITS + 1];
  char *end = buf + sizeof buf;
  end[-1] = ';';
  char *p = decimal_before (end - 1, v);
  sha256_update (h, p, (size_t) (end - p));
}

static void
hash_str (struct sha256 *h, const char *s)
{
  size_t len = s ? strlen (s) : 0;
  hash_u64 (h, s ? len : UINT64_MAX);
  sha256_update (h, s ? s : "", len);
}

static void
hash_opt (struct sha256 *h, opt_u64 v)
{
  hash_u64 (h, v.set);
  hash_u64 (h, v.set ? v.v : 0);
}

static void
hash_list (struct sha256 *h, const strlist *l)
{
  hash_u64 (h, l->n);
  for (size_t i = 0; i < l->n; i++)
    hash_str (h, l->v[i]);
}

static void
digest (const struct spec_seccomp *s, char hex[65])
{
  struct sha256 h;
  sha256_init (&h);
  const struct scmp_version *v = seccomp_version ();
  hash_str (&h, "tinyrun seccomp cache 1");
  hash_u64 (&h, v ? v->major : 0);
  hash_u64 (&h, v ? v->minor : 0);
  hash_u64 (&h, v ? v->micro : 0);
  hash_u64 (&h, seccomp_api_get ());
  hash_u64 (&h, seccomp_arch_native ());
  hash_str (&h, s->default_action);
  hash_opt (&h, s->default_errno_ret);
  hash_list (&h, &s->architectures);
  hash_list (&h, &s->flags);
  hash_u64 (&h, s->n_syscalls);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *sc = &s->syscalls[i];
      hash_list (&h, &sc->names);
      hash_str (&h, sc->action);
      hash_opt (&h, sc->errno_ret);
      hash_u64 (&h, sc->n_args);
      for (size_t j = 0; j < sc->n_args; j++)
        {
          hash_u64 (&h, sc->args[j].index);
          hash_str (&h, sc->args[j].op);
          hash_u64 (&h, sc->args[j].value);
          hash_u64 (&h, sc->args[j].value_two);
        }
    }
  sha256_hex (&h, hex);
}

/* Ours alone: owned by the effective uid, writable by nobody else. */
static bool
trusted (const struct stat *st)
{
  return st->st_uid == geteuid () && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

static int
open_cache_dir (const char *state_root)
{
  cleanup_close int rootfd = open (state_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return -1;
  if (mkdirat (rootfd, CACHE_DIR, 0700) < 0 && errno != EEXIST)
    return -1;
  cleanup_close int fd = openat (rootfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0 || !trusted (&st))
    return -1;
  return steal_fd (&fd);
}

/* A cached program, if the file is trusted and holds one. */
static struct seccomp_program *
load (int dirfd, const char *name)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || !trusted (&st))
    return NULL;
  size_t n = (size_t) st.st_size / sizeof (struct sock_filter);
  if (st.st_size <= 0 || st.st_size % (off_t) sizeof (struct sock_filter) != 0 || n > MAX_INSNS)
    return NULL;
  cleanup_free struct sock_filter *insns = malloc ((size_t) st.st_size);
  if (insns == NULL || pread (fd, insns, (size_t) st.st_size, 0) != st.st_size)
    return NULL;
  /* A whole filter ends in a return. */
  if (BPF_CLASS (insns[n - 1].code) != BPF_RET)
    return NULL;
  struct seccomp_program *p = calloc (1, sizeof *p);
  if (p == NULL)
    return NULL;
  /* Still in use: kept by the next prune. */
  if (time (NULL) - st.st_mtime > REFRESH_AGE)
    futimens (fd, NULL);
  p->insns = steal_ptr (&insns);
  p->len = (unsigned short) n;
  return p;
}

/* Remove the entries (ours, regular files) unused for PRUNE_AGE, and
 * temporary files a killed writer left.  Best effort: a file another
 * create reads meanwhile stays readable through its open fd. */
static void
prune (int dirfd)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  time_t now = time (NULL);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0
          || fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISREG (st.st_mode) && st.st_uid == geteuid () && now - st.st_mtime > PRUNE_AGE
          && unlinkat (dirfd, de->d_name, 0) == 0)
        log_debug ("seccomp cache: removed %s, unused for a day", de->d_name);
    }
}

static void
store (int dirfd, const char *name, const struct seccomp_program *p)
{
  prune (dirfd);
  cleanup_error tr_error_t err = NULL;
  if (write_file_atomic_at (dirfd, name, (const char *) p->insns, p->len * sizeof (struct sock_filter), 0600, &err)
      < 0)
    log_debug ("seccomp cache: %s", err->msg);
}

void
seccomp_preload (const char *state_root, const struct spec_seccomp *s)
{
  cleanup_error tr_error_t err = NULL;
  if (s == NULL || preloaded != NULL || seccomp_config_validate (s, &err) < 0)
    return;
  char name[65];
  digest (s, name);
  cleanup_close int dirfd = open_cache_dir (state_root);
  struct seccomp_program *p = dirfd >= 0 ? load (dirfd, name) : NULL;
  if (p)
    p->flags = seccomp_program_flags (s);
  else
    {
      if (seccomp_compile (s, &p, &err) < 0)
        return;
      if (dirfd >= 0)
        store (dirfd, name, p);
    }
  log_debug ("seccomp: filter %.12s (%u instructions) ready", name, p->len);
  preloaded_spec = s;
  preloaded = p;
}

struct seccomp_program *
seccomp_cache_take (const struct spec_seccomp *s)
{
  if (preloaded == NULL || s != preloaded_spec)
    return NULL;
  preloaded_spec = NULL;
  return steal_ptr (&preloaded);
}
