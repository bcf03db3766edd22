#include "config.h"
#include "linux/netns_ahead.h"

#include <errno.h>
#include <linux/futex.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TASK_STACK (64 * 1024)

/* ---- the task: raw system calls only ----------------------------------
 * It runs on its own stack, in the runtime's memory, with the runtime's
 * thread pointer: glibc's wrappers would write the runtime's errno, and
 * a sanitizer's checks assume a thread they know. */

#if defined(__x86_64__)
#define HAVE_RAW_SYSCALLS 1
static inline __attribute__ ((always_inline)) long
raw3 (long nr, long a, long b, long c)
{
  long ret;
  __asm__ volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
#define HAVE_RAW_SYSCALLS 1
static inline __attribute__ ((always_inline)) long
raw3 (long nr, long a, long b, long c)
{
  register long x8 __asm__ ("x8") = nr;
  register long x0 __asm__ ("x0") = a;
  register long x1 __asm__ ("x1") = b;
  register long x2 __asm__ ("x2") = c;
  __asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
}
#else
#define HAVE_RAW_SYSCALLS 0
#endif

enum step
{
  STEP_UNSHARE,
  STEP_SOCKET,
  STEP_SKNS,
  STEP_LO_SOCKET,
  STEP_LO_GET,
  STEP_LO_SET,
};

static const char *const step_names[] = {
  [STEP_UNSHARE] = "network namespace: unshare",
  [STEP_SOCKET] = "network namespace: socket",
  [STEP_SKNS] = "network namespace: SIOCGSKNS",
  [STEP_LO_SOCKET] = "loopback: socket",
  [STEP_LO_GET] = "loopback: get the flags of lo",
  [STEP_LO_SET] = "loopback: bring lo up",
};

#if HAVE_RAW_SYSCALLS
#if defined(__has_attribute) && __has_attribute(no_stack_protector)
#define TASK_NO_SSP __attribute__ ((no_stack_protector))
#else
#define TASK_NO_SSP
#endif
#define TASK_FN __attribute__ ((no_sanitize ("address", "undefined"), noinline)) TASK_NO_SSP

TASK_FN static int
failed (struct netns_ahead *n, enum step step, long r)
{
  n->failed_step = (int) step;
  n->failed_errno = (int) -r;
  return 0;
}

/* lo up, as linux/loopback.c does it, in the namespace just made. */
TASK_FN static int
task_loopback (struct netns_ahead *n)
{
  long fd = raw3 (SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return failed (n, STEP_LO_SOCKET, fd);
  struct ifreq ifr;
  volatile char *p = (volatile char *) &ifr; /* no memset: not glibc's */
  for (size_t i = 0; i < sizeof ifr; i++)
    p[i] = 0;
  ifr.ifr_name[0] = 'l';
  ifr.ifr_name[1] = 'o';
  long r = raw3 (SYS_ioctl, fd, SIOCGIFFLAGS, (long) &ifr);
  if (r == 0 && !(ifr.ifr_flags & IFF_UP))
    {
      ifr.ifr_flags |= IFF_UP;
      r = raw3 (SYS_ioctl, fd, SIOCSIFFLAGS, (long) &ifr);
      if (r < 0)
        (void) failed (n, STEP_LO_SET, r);
    }
  else if (r < 0)
    (void) failed (n, STEP_LO_GET, r);
  raw3 (SYS_close, fd, 0, 0);
  return 0;
}

/* unshare(CLONE_NEWNET) moves only the calling task; a socket made in the
 * new namespace then names it (SIOCGSKNS gives an O_CLOEXEC fd of a
 * socket's namespace, in the fd table shared with the runtime), so no
 * /proc path is needed.  The task's end drops its own reference: the fd
 * keeps the namespace. */
TASK_FN static int
task_main (void *arg)
{
  struct netns_ahead *n = arg;
  long r = raw3 (SYS_unshare, CLONE_NEWNET, 0, 0);
  if (r < 0)
    return failed (n, STEP_UNSHARE, r);
  long sock = raw3 (SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return failed (n, STEP_SOCKET, sock);
  long fd = raw3 (SYS_ioctl, sock, SIOCGSKNS, 0);
  raw3 (SYS_close, sock, 0, 0);
  if (fd < 0)
    return failed (n, STEP_SKNS, fd);
  n->made_fd = (int) fd;
  return task_loopback (n);
}
#endif

/* ---- the runtime's side ---------------------------------------------- */

bool
netns_ahead_supported (void)
{
  return HAVE_RAW_SYSCALLS;
}

/* Off our CPU: a scheduler that packs a VM's tasks onto few vCPUs (so as
 * not to wake halted ones) queued a new task behind its creator, which
 * does not block until it waits for the namespace: it was then made in
 * series (measured on the test VM, `sched_vcpu_pack` on its kernel
 * command line).  On a host that places it elsewhere anyway this changes
 * nothing; with one CPU nothing is done. */
static void
keep_off_our_cpu (pid_t task)
{
  cpu_set_t set;
  int cpu = sched_getcpu ();
  if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity (0, sizeof set, &set) < 0 || !CPU_ISSET (cpu, &set)
      || CPU_COUNT (&set) < 2)
    return;
  CPU_CLR (cpu, &set);
  (void) sched_setaffinity (task, sizeof set, &set);
}

void
netns_ahead_start (struct netns_ahead *n)
{
  n->fd = -1;
  n->made_fd = -1;
  n->failed_errno = 0;
#if HAVE_RAW_SYSCALLS
  n->stack = mmap (NULL, TASK_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (n->stack == MAP_FAILED)
    {
      n->stack = NULL;
      return;
    }
  /* No exit signal: the task is invisible to waitpid(-1) (the supervisor
   * of `run` reaps its children so), and reaped with __WCLONE.  Born with
   * every signal blocked: a handler of the runtime's must never run on
   * its stack. */
  __atomic_store_n (&n->alive, 1, __ATOMIC_RELEASE);
  sigset_t all, before;
  sigfillset (&all);
  sigprocmask (SIG_SETMASK, &all, &before);
  pid_t task = clone (task_main, (char *) n->stack + TASK_STACK, CLONE_VM | CLONE_FILES | CLONE_CHILD_CLEARTID, n,
                      NULL, NULL, &n->alive);
  sigprocmask (SIG_SETMASK, &before, NULL);
  if (task < 0)
    return;
  n->task = task;
  keep_off_our_cpu (task);
#endif
}

/* Until the kernel has cleared `alive` (CLONE_CHILD_CLEARTID: the task's
 * memory and fds are no longer in use), then reap it. */
static void
wait_task (struct netns_ahead *n)
{
  if (!netns_ahead_pending (n))
    return;
  int v;
  while ((v = __atomic_load_n (&n->alive, __ATOMIC_ACQUIRE)) != 0)
    syscall (SYS_futex, &n->alive, FUTEX_WAIT, v, NULL, NULL, 0);
  while (waitpid (n->task, NULL, __WCLONE) < 0 && errno == EINTR)
    ;
  n->task = 0;
}

int
netns_ahead_take (struct netns_ahead *n, tr_error_t *err)
{
  if (!netns_ahead_pending (n))
    return n->fd;
  wait_task (n);
  if (n->failed_errno)
    {
      if (n->made_fd >= 0)
        close (n->made_fd);
      n->made_fd = -1;
      return tr_error (err, n->failed_errno, "%s", step_names[n->failed_step]);
    }
  n->fd = n->made_fd;
  return n->fd;
}

void
netns_ahead_release (struct netns_ahead *n)
{
  tr_error_t ignored = NULL;
  if (netns_ahead_pending (n))
    (void) netns_ahead_take (n, &ignored);
  tr_error_free (&ignored);
  if (n->fd >= 0)
    close (n->fd);
  n->fd = -1;
  if (n->stack)
    munmap (n->stack, TASK_STACK);
  n->stack = NULL;
}
