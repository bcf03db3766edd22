/* Deleting a veth without waiting for the kernel's grace period. */
#ifndef TINYRUN_NET_LINK_REAPER_H
#define TINYRUN_NET_LINK_REAPER_H

/* Delete the link with this index (in the caller's network namespace)
 * from a detached process, and return at once. */
void link_reap_detached (int index);

#endif
