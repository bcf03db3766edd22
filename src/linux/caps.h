/* Linux capabilities of the container process (libcap). */
#ifndef TINYRUN_CAPS_H
#define TINYRUN_CAPS_H

#include "util/error.h"
#include "oci-spec/spec.h"

/* Warn, once per capability, about those the container cannot get: a
 * name no capability has (ignored, as runc does), one not known to the
 * kernel, or one not in the host's bounding set.  Called by the
 * runtime before the container runs, so the warnings reach its own log,
 * never the container's terminal; the init then drops them quietly. */
void caps_warn_unavailable (const struct spec_capabilities *c);

/* Drop from the bounding set everything the spec does not list.  Must run
 * while the process still has CAP_SETPCAP. */
int caps_set_bounding (const struct spec_capabilities *c, tr_error_t *err);

/* Set effective, permitted and inheritable, then raise the ambient set.
 * Runs after the uid switch (with PR_SET_KEEPCAPS).  A capability that the
 * host does not let us have is dropped (see caps_warn_unavailable). */
int caps_apply (const struct spec_capabilities *c, tr_error_t *err);

/* The capability's number, or -1 ("CAP_NET_ADMIN" → 12). */
int cap_number (const char *name);
int cap_last (void);

#endif
