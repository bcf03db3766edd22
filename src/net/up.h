/* tinyrun-net's verbs. */
#ifndef TINYRUN_NET_UP_H
#define TINYRUN_NET_UP_H

#include "net/options.h"
#include "oci-spec/state_json.h"
#include "util/error.h"

/* The container's network: a veth on the bridge, its addresses and
 * routes, its published ports and its resolv.conf; a failure undoes it. */
int net_up (struct options *o, const struct container_state *c, tr_error_t *err);
/* Everything of the container, and the bridge with its last one. */
int net_down (const struct options *o, const struct container_state *c, tr_error_t *err);
/* down for every container of the bridge (NULL: of every bridge) whose
 * network namespace is gone; the ids it freed are printed. */
int net_gc (const char *bridge, tr_error_t *err);

#endif
