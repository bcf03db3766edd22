#include "config.h"
#include "linux/netns_ahead.h"
#include "util/cleanup.h"

#include <errno.h>
#include <linux/sockios.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* unshare(CLONE_NEWNET) moves only the calling thread; a socket made in
 * the new namespace then names it (SIOCGSKNS gives an O_CLOEXEC fd of a
 * socket's namespace), so no /proc path is needed.  The thread's end
 * drops its own reference: the fd keeps the namespace. */
static void *
make_netns (void *arg)
{
  struct netns_ahead *n = arg;
  n->step = "unshare";
  if (unshare (CLONE_NEWNET) < 0)
    {
      n->error = errno;
      return NULL;
    }
  n->step = "socket";
  cleanup_close int sock = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    {
      n->error = errno;
      return NULL;
    }
  n->step = "SIOCGSKNS";
  n->fd = ioctl (sock, SIOCGSKNS);
  if (n->fd < 0)
    n->error = errno;
  return NULL;
}

void
netns_ahead_start (struct netns_ahead *n)
{
  n->fd = -1;
  n->error = 0;
  n->running = pthread_create (&n->thread, NULL, make_netns, n) == 0;
}

static void
wait_thread (struct netns_ahead *n)
{
  if (!n->running)
    return;
  pthread_join (n->thread, NULL);
  n->running = false;
}

int
netns_ahead_take (struct netns_ahead *n, tr_error_t *err)
{
  wait_thread (n);
  if (n->error)
    return tr_error (err, n->error, "network namespace: %s", n->step);
  return n->fd;
}

void
netns_ahead_release (struct netns_ahead *n)
{
  wait_thread (n);
  if (n->fd >= 0)
    close (steal_fd (&n->fd));
}
