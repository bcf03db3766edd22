/* linux.netDevices (runtime-spec 1.3): host network devices moved into the
 * container's network namespace by the runtime, each under its name
 * inside, with its permanent global addresses and set up, as runc and crun
 * do.  They are never moved back (the spec forbids it): when the
 * namespace goes away the kernel returns physical devices to the initial
 * namespace and destroys virtual ones (dummy, veth, macvlan...). */
#ifndef TINYRUN_NETDEV_H
#define TINYRUN_NETDEV_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci-spec/spec.h"
#include "util/error.h"

/* The kernel's rule for a device name (dev_valid_name): 1 to 15 bytes,
 * not "." or "..", no '/', ':' or white space.  A name inside may end in
 * a "%d" template the kernel fills in. */
bool netdev_name_valid (const char *name);

/* Each device is there in the caller's namespace. */
int netdev_check_present (const kvlist *devices, tr_error_t *err);

/* Move every device into the network namespace of pid. */
int netdev_move_all (const kvlist *devices, pid_t pid, tr_error_t *err);

#endif
