/* Unregistering a network device ends in the kernel's rcu_barrier(),
 * after rtnl is released: ~20 ms on a VM, during which the deleting
 * process only waits.  `down` hands the container's veth to a detached
 * child instead (net/detached.h), so that the runtime's poststop hook (and
 * the container's delete) does not wait for it.  It deletes by index, not
 * by name: a name made from a namespace inode can be taken again once that
 * namespace is gone, an index is not reused so soon.  If it dies before
 * its request, the veth still goes with the container's namespace; only a
 * namespace pinned by a bind mount would keep it until that is removed. */
#include "config.h"
#include "net/link_reaper.h"
#include "net/detached.h"
#include "net/netlink.h"

#include <unistd.h>

void
link_reap_detached (int index)
{
  pid_t child = fork_detached (-1);
  if (child > 0)
    return;
  /* In the child, or with no process to spare: delete it here (then
   * waiting, as before). */
  struct nl *nl = nl_open (NULL);
  if (nl)
    nl_link_del_index (nl, index, NULL);
  nl_close (nl);
  if (child == 0)
    _exit (0);
}
