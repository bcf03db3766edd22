#include "config.h"
#include "linux/netns_ahead.h"
#include "linux/loopback.h"
#include "util/cleanup.h"

#include <errno.h>
#include <linux/sockios.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* unshare(CLONE_NEWNET) moves only the calling thread; a socket made in
 * the new namespace then names it (SIOCGSKNS gives an O_CLOEXEC fd of a
 * socket's namespace), so no /proc path is needed.  Its lo is brought up
 * here too, as the init would have done it.  The thread's end drops its
 * own reference: the fd keeps the namespace. */
static int
make_netns (struct netns_ahead *n)
{
  if (unshare (CLONE_NEWNET) < 0)
    return tr_error (&n->error, errno, "network namespace: unshare");
  cleanup_close int sock = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return tr_error (&n->error, errno, "network namespace: socket");
  cleanup_close int fd = ioctl (sock, SIOCGSKNS);
  if (fd < 0)
    return tr_error (&n->error, errno, "network namespace: SIOCGSKNS");
  if (loopback_up (&n->error) < 0)
    return -1;
  n->fd = steal_fd (&fd);
  return 0;
}

static void *
thread_main (void *arg)
{
  (void) make_netns (arg);
  return NULL;
}

void
netns_ahead_start (struct netns_ahead *n)
{
  n->fd = -1;
  n->error = NULL;
  n->running = pthread_create (&n->thread, NULL, thread_main, n) == 0;
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
    {
      *err = n->error;
      n->error = NULL;
      return -1;
    }
  return n->fd;
}

void
netns_ahead_release (struct netns_ahead *n)
{
  wait_thread (n);
  tr_error_free (&n->error);
  if (n->fd >= 0)
    close (steal_fd (&n->fd));
}
