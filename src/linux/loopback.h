/* The loopback interface of a new network namespace: the kernel creates
 * `lo` down, and runc's "loopback" network strategy brings it up, so that
 * 127.0.0.1 works in a container without any network configuration. */
#ifndef TINYRUN_LOOPBACK_H
#define TINYRUN_LOOPBACK_H

#include "util/error.h"

/* Set IFF_UP on `lo` of the caller's network namespace (SIOCGIFFLAGS,
 * SIOCSIFFLAGS on an AF_INET datagram socket); needs CAP_NET_ADMIN there. */
int loopback_up (tr_error_t *err);

#endif
