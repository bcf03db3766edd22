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

/* The thread runs on another CPU than ours.  A scheduler that packs a
 * VM's tasks onto few vCPUs (so as not to wake halted ones) queued it
 * behind its creator, which does not block until it waits for the
 * namespace: the namespace was then made in series (measured on the test
 * VM, `sched_vcpu_pack` on its kernel command line).  On a host that
 * places it elsewhere anyway this changes nothing.  False with one CPU. */
static bool
elsewhere (pthread_attr_t *attr)
{
  cpu_set_t set;
  int cpu = sched_getcpu ();
  if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity (0, sizeof set, &set) < 0 || !CPU_ISSET (cpu, &set)
      || CPU_COUNT (&set) < 2)
    return false;
  CPU_CLR (cpu, &set);
  if (pthread_attr_init (attr) != 0)
    return false;
  if (pthread_attr_setaffinity_np (attr, sizeof set, &set) == 0)
    return true;
  pthread_attr_destroy (attr);
  return false;
}

void
netns_ahead_start (struct netns_ahead *n)
{
  n->fd = -1;
  n->error = NULL;
  pthread_attr_t attr;
  bool pinned = elsewhere (&attr);
  n->running = pthread_create (&n->thread, pinned ? &attr : NULL, thread_main, n) == 0;
  /* Refused affinities (CPUs gone offline meanwhile): anywhere, then. */
  if (!n->running && pinned)
    n->running = pthread_create (&n->thread, NULL, thread_main, n) == 0;
  if (pinned)
    pthread_attr_destroy (&attr);
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
