#include "config.h"
#include "linux/tty_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

int
tty_relay_start (struct tty_relay *r, int master, tr_error_t *err)
{
  r->master = master;
  r->stdin_open = true;
  r->raw = false;
  if (master < 0)
    return 0;
  if (isatty (STDIN_FILENO))
    {
      if (tcgetattr (STDIN_FILENO, &r->saved) < 0)
        return tr_error (err, errno, "tcgetattr");
      struct termios raw = r->saved;
      cfmakeraw (&raw);
      /* Keep output post-processing: the container's tty does its own. */
      raw.c_oflag = r->saved.c_oflag;
      if (tcsetattr (STDIN_FILENO, TCSANOW, &raw) < 0)
        return tr_error (err, errno, "tcsetattr");
      r->raw = true;
      tty_relay_resize (r);
    }
  return 0;
}

nfds_t
tty_relay_pollfds (struct tty_relay *r, struct pollfd *fds)
{
  if (r->master < 0)
    return 0;
  fds[0] = (struct pollfd){ .fd = r->master, .events = POLLIN };
  if (!r->stdin_open)
    return 1;
  fds[1] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
  return 2;
}

static bool
copy_once (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n <= 0)
    return n < 0 && (errno == EINTR || errno == EAGAIN);
  for (ssize_t off = 0; off < n;)
    {
      ssize_t w = write (to, buf + off, (size_t) (n - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return false;
      off += w;
    }
  return true;
}

void
tty_relay_pump (struct tty_relay *r, struct pollfd *fds)
{
  if (r->master < 0)
    return;
  if (fds[0].revents & POLLIN)
    copy_once (r->master, STDOUT_FILENO);
  if (r->stdin_open && (fds[1].revents & (POLLIN | POLLHUP)))
    {
      if (!copy_once (STDIN_FILENO, r->master))
        {
          /* stdin ended: tell the container the way a terminal would. */
          r->stdin_open = false;
          if (write (r->master, "\x04", 1) < 0)
            (void) 0;
        }
    }
}

void
tty_relay_drain (struct tty_relay *r)
{
  if (r->master < 0)
    return;
  int flags = fcntl (r->master, F_GETFL);
  fcntl (r->master, F_SETFL, flags | O_NONBLOCK);
  while (copy_once (r->master, STDOUT_FILENO))
    {
    }
}

void
tty_relay_resize (struct tty_relay *r)
{
  struct winsize ws;
  if (r->master >= 0 && ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (r->master, TIOCSWINSZ, &ws);
}

void
tty_relay_stop (struct tty_relay *r)
{
  if (r->raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &r->saved);
  r->raw = false;
  if (r->master >= 0)
    close (r->master);
  r->master = -1;
}
