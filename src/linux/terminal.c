#include "config.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/fd_passing.h"
#include "util/fs_safe.h"
#include "linux/bind_mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

/* The mount point for the console: /dev/console of the rootfs, made as an
 * empty file if missing.  A symlink there is refused, not followed: it
 * would put the pty over whatever file it points at. */
static int
open_console_target (int rootfd, tr_error_t *err)
{
  cleanup_close int dev = safe_openat (rootfd, "/dev", O_RDONLY | O_DIRECTORY, 0, err);
  if (dev < 0)
    return -1;
  /* O_PATH: an existing node is never opened (it could be a device). */
  cleanup_close int fd = openat (dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    fd = openat (dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return tr_error (err, errno, "/dev/console: create");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return tr_error (err, errno, "/dev/console: stat");
  if (S_ISLNK (st.st_mode))
    return tr_error_plain (err, ELOOP, "/dev/console: is a symlink in the rootfs: refusing to follow it");
  if (S_ISDIR (st.st_mode))
    return tr_error_plain (err, EISDIR, "/dev/console: is a directory in the rootfs");
  return steal_fd (&fd);
}

static int
mount_console (int rootfd, int slave, tr_error_t *err)
{
  cleanup_close int target = open_console_target (rootfd, err);
  if (target < 0)
    return -1;
  struct bind_request r = { .src_fd = slave, .target_fd = target, .rootfd = rootfd, .dst = "/dev/console" };
  cleanup_close int mnt = bind_mount_onto (&r, err);
  return mnt < 0 ? tr_error_wrap (err, "/dev/console") : 0;
}

int
terminal_setup (int rootfd, const struct spec_process *p, bool bind_console, tr_error_t *err)
{
  /* The container's devpts instance, not the host's: the pty then shows
   * up as /dev/pts/N inside the container. */
  cleanup_close int master = safe_openat (rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0, err);
  if (master < 0)
    return tr_error_wrap (err, "process.terminal: is devpts mounted on /dev/pts?");
  int unlock = 0;
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return tr_error (err, errno, "unlock pty");
  /* TIOCGPTPEER opens the slave through the master: no path lookup that
   * the container could redirect. */
  cleanup_close int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return tr_error (err, errno, "open pty slave");
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                            .ws_col = (unsigned short) p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return tr_error (err, errno, "process.consoleSize");
    }
  if (bind_console && mount_console (rootfd, slave, err) < 0)
    return -1;
  if (setsid () < 0)
    return tr_error (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return tr_error (err, errno, "set controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0)
      return tr_error (err, errno, "dup2 pty to fd %d", fd);
  return steal_fd (&master);
}

int
terminal_open_pair (const struct spec_process *p, struct pty_pair *out, tr_error_t *err)
{
  *out = (struct pty_pair){ .master = -1, .slave = -1 };
  cleanup_close int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return tr_error (err, errno, "open /dev/ptmx");
  int unlock = 0, index = -1;
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0 || ioctl (master, TIOCGPTN, &index) < 0)
    return tr_error (err, errno, "unlock pty");
  cleanup_close int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return tr_error (err, errno, "open pty slave");
  if (p && p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                            .ws_col = (unsigned short) p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return tr_error (err, errno, "process.consoleSize");
    }
  snprintf (out->path, sizeof out->path, "/dev/pts/%d", index);
  out->master = steal_fd (&master);
  out->slave = steal_fd (&slave);
  return 0;
}

int
terminal_clear_onlcr (int master, tr_error_t *err)
{
  /* A pty starts with ONLCR ("\n" out as "\r\n").  Whoever relays it to
   * a terminal of its own gets that terminal's translation there, so the
   * container's must not add a second one (runc: console.ClearONLCR on
   * the master it relays; the setting is the pair's). */
  struct termios t;
  if (tcgetattr (master, &t) < 0)
    return tr_error (err, errno, "pty: tcgetattr");
  t.c_oflag &= (tcflag_t) ~ONLCR;
  if (tcsetattr (master, TCSANOW, &t) < 0)
    return tr_error (err, errno, "pty: clear ONLCR");
  return 0;
}

int
terminal_send_master (int sock, int master, tr_error_t *err)
{
  /* runc sends the name "/dev/ptmx" along; some peers log it. */
  static const char name[] = "/dev/ptmx";
  if (send_with_fd (sock, name, sizeof name - 1, master) < 0)
    return tr_error (err, errno, "send the pty master to the console socket");
  return 0;
}

int
terminal_connect_socket (const char *path, tr_error_t *err)
{
  int fd = unix_connect (path, err);
  if (fd < 0)
    tr_error_wrap (err, "console socket");
  return fd;
}
