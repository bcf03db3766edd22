#include "config.h"
#include "net/nft.h"
#include "util/cleanup.h"
#include "util/signals.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* A memfd holding text (NULL: empty), at offset 0. */
static int
memfd_with (const char *name, const char *text, tr_error_t *err)
{
  cleanup_close int fd = memfd_create (name, MFD_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "memfd_create");
  size_t len = text ? strlen (text) : 0;
  for (size_t done = 0; done < len;)
    {
      ssize_t n = write (fd, text + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return tr_error (err, errno, "write the nftables script");
      done += (size_t) n;
    }
  if (lseek (fd, 0, SEEK_SET) < 0)
    return tr_error (err, errno, "lseek the nftables script");
  return steal_fd (&fd);
}

/* In the forked child: the script as stdin, errors to the memfd, nothing
 * else open. */
static _Noreturn void
exec_nft (int script, int errors)
{
  int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  if (dup2 (script, STDIN_FILENO) < 0 || null < 0 || dup2 (null, STDOUT_FILENO) < 0
      || dup2 (errors, STDERR_FILENO) < 0)
    _exit (127);
  sys_close_range (3, ~0U, 0);
  signals_default_for_exec ();
  char *const argv[] = { (char *) NFT_PROGRAM, (char *) "-f", (char *) "-", NULL };
  char *const envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
  execve (NFT_PROGRAM, argv, envp);
  dprintf (STDERR_FILENO, "run %s: %s (install nftables)\n", NFT_PROGRAM, strerror (errno));
  _exit (127);
}

/* The first line nft wrote to errors, without its "/dev/stdin:1:2-3: "
 * position (the script is tinyrun-net's, not the user's). */
static void
first_line (int errors, char *out, size_t size)
{
  ssize_t n = pread (errors, out, size - 1, 0);
  out[n > 0 ? n : 0] = '\0';
  out[strcspn (out, "\n")] = '\0';
  const char *error = strstr (out, "Error: ");
  if (error && error != out)
    memmove (out, error, strlen (error) + 1);
}

int
nft_run (const char *script, const char *what, tr_error_t *err)
{
  cleanup_close int in = memfd_with ("tinyrun-net-nft", script, err);
  cleanup_close int errors = in < 0 ? -1 : memfd_with ("tinyrun-net-nft-errors", NULL, err);
  if (errors < 0)
    return tr_error_wrap (err, "%s", what);
  pid_t child = fork ();
  if (child < 0)
    return tr_error (err, errno, "%s: fork for %s", what, NFT_PROGRAM);
  if (child == 0)
    exec_nft (in, errors);
  int status;
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return tr_error (err, errno, "%s: wait for %s", what, NFT_PROGRAM);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  char msg[512];
  first_line (errors, msg, sizeof msg);
  if (msg[0] == '\0')
    snprintf (msg, sizeof msg, "%s %s %d", NFT_PROGRAM, WIFEXITED (status) ? "exited with status" : "killed by signal",
              WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
  return tr_error_plain (err, EINVAL, "%s: nftables: %s", what, msg);
}
