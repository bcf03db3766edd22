#include "config.h"
#include "container/lock.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The pid owning a FLOCK on the file (dev, ino) in /proc/locks, or 0.
 * A line reads "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"; the
 * waiters' lines ("1: -> FLOCK ...") are skipped. */
static pid_t
lock_holder (dev_t dev, ino_t ino)
{
  cleanup_file FILE *f = fopen ("/proc/locks", "re");
  char line[256];
  while (f && fgets (line, sizeof line, f))
    {
      char kind[16];
      int pid;
      unsigned maj, min;
      unsigned long long inode;
      if (strstr (line, "->") != NULL
          || sscanf (line, "%*d: %15s %*s %*s %d %x:%x:%llu", kind, &pid, &maj, &min, &inode) != 5)
        continue;
      if (strcmp (kind, "FLOCK") == 0 && maj == major (dev) && min == minor (dev) && inode == (unsigned long long) ino)
        return pid;
    }
  return 0;
}

/* "pid 1234 (tinyrun start c1)", or as much of it as can be known. */
static void
describe_holder (int dirfd, char *out, size_t size)
{
  struct stat st;
  pid_t pid = fstat (dirfd, &st) == 0 ? lock_holder (st.st_dev, st.st_ino) : 0;
  if (pid <= 0)
    {
      snprintf (out, size, "another process");
      return;
    }
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/cmdline", pid);
  size_t len = 0;
  cleanup_free char *cmd = read_file_at (AT_FDCWD, path, &len, NULL);
  for (size_t i = 0; cmd && i + 1 < len; i++)
    if (cmd[i] == '\0')
      cmd[i] = ' ';
  snprintf (out, size, "pid %d (%s)", pid, cmd && cmd[0] ? cmd : "?");
}

int
state_lock (int dirfd, const char *id, tr_error_t *err)
{
  long long deadline = now_ms () + STATE_LOCK_TIMEOUT_MS;
  long pause_us = 1000;
  while (flock (dirfd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno == EINTR)
        continue;
      if (errno != EWOULDBLOCK)
        return tr_error (err, errno, "lock state of %s", id);
      if (now_ms () >= deadline)
        {
          char holder[512];
          describe_holder (dirfd, holder, sizeof holder);
          return tr_error_plain (err, EWOULDBLOCK, "container \"%s\" is locked by %s: gave up after %d s", id,
                                 holder, STATE_LOCK_TIMEOUT_MS / 1000);
        }
      usleep ((useconds_t) pause_us);
      if (pause_us < 100000)
        pause_us *= 2;
    }
  return 0;
}
