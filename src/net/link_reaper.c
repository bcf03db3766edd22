/* Unregistering a network device ends in the kernel's rcu_barrier(),
 * after rtnl is released: ~20 ms on a VM, during which the deleting
 * process only waits.  `down` hands the container's veth to a detached
 * child instead, so that the runtime's poststop hook (and the
 * container's delete) does not wait for it.
 *
 * The child holds nothing of the caller's: it is in a session of its
 * own (a signal to the hook's process group does not reach it) and closes
 * every inherited fd first, so it neither keeps the IPAM lock nor the
 * pipes a runtime reads the hook's output from.  It deletes by index, not
 * by name: a name made from a namespace inode can be taken again once that
 * namespace is gone, an index is not reused so soon.  If it dies before
 * its request, the veth still goes with the container's namespace; only a
 * namespace pinned by a bind mount would keep it until that is removed. */
#include "config.h"
#include "net/link_reaper.h"
#include "net/netlink.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

void
link_reap_detached (int index)
{
  pid_t child = fork ();
  if (child < 0)
    {
      /* No process to spare: delete it here, waiting as before. */
      struct nl *nl = nl_open (NULL);
      if (nl)
        nl_link_del_index (nl, index, NULL);
      nl_close (nl);
      return;
    }
  if (child > 0)
    return; /* not waited for: when the hook exits, it is reparented */
  /* First let go of the hook's pipes: the runtime waits for their end. */
  syscall (SYS_close_range, 0U, ~0U, 0U);
  setsid ();
  struct nl *nl = nl_open (NULL);
  if (nl)
    nl_link_del_index (nl, index, NULL);
  _exit (0);
}
