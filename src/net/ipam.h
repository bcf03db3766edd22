/* The records of one bridge, under /run/tinyrun-net/<bridge>/, changed
 * only while the directory is flock()ed:
 *   <address>        a lease (IPv4 or IPv6), holding the container id
 *   veth-<name>      the host end of a container's veth, holding the id
 *   port-<proto>-<n> a published host port, holding the id
 *   resolv-<id>      the resolv.conf bound into the container
 *   subnet, subnet6, nat4, nat6, forwarding-was-off, ...: the bridge's own */
#ifndef TINYRUN_NET_IPAM_H
#define TINYRUN_NET_IPAM_H

#include <stdbool.h>

#include "net/addr.h"
#include "util/error.h"

#define IPAM_ROOT "/run/tinyrun-net"

struct ipam
{
  int dirfd;  /* locked */
  char dir[256];
};

/* Open (creating) and lock the bridge's directory. */
int ipam_open (struct ipam *ipam, const char *bridge, tr_error_t *err);
/* Open and lock it only when it exists: 0, or 1 when there is none. */
int ipam_open_existing (struct ipam *ipam, const char *bridge, tr_error_t *err);
void ipam_close (struct ipam *ipam);

/* The id's address in s: the one it holds, else want (when want->family
 * is set; refused when another container holds it), else the lowest free
 * one; ENOSPC when the subnet is full. */
int ipam_allocate (struct ipam *ipam, const struct subnet *s, const char *id, const struct ip_addr *want,
                   struct ip_addr *out, tr_error_t *err);
/* Forget the id's addresses (both families); 0 also when it had none. */
int ipam_release (struct ipam *ipam, const char *id, tr_error_t *err);
/* Does any container still hold an address? */
bool ipam_in_use (struct ipam *ipam);

/* Small named values kept next to the addresses. */
int ipam_put (struct ipam *ipam, const char *key, const char *value, tr_error_t *err);
/* Create key holding value; EEXIST (and the holder in *owner, which the
 * caller frees) when it exists with another value. */
int ipam_claim (struct ipam *ipam, const char *key, const char *value, char **owner, tr_error_t *err);
char *ipam_get (struct ipam *ipam, const char *key);
int ipam_del (struct ipam *ipam, const char *key, tr_error_t *err);
/* The name of a value whose name starts with prefix and whose content is
 * value (NULL when none); caller frees. */
char *ipam_find (struct ipam *ipam, const char *prefix, const char *value);
/* Call fn for every record named prefix*: its name and content. */
void ipam_each (struct ipam *ipam, const char *prefix, void (*fn) (const char *name, const char *value, void *data),
                void *data);
/* Remove every such value. */
int ipam_forget (struct ipam *ipam, const char *prefix, const char *value, tr_error_t *err);
/* Remove the directory once nothing is left in it. */
void ipam_remove (struct ipam *ipam);

/* The record key of the first tinyrun-net bridge other than bridge that
 * has one match accepts (match NULL: any), read without that bridge's
 * lock (a hint; a bridge's own records are the rule).  Its content, the
 * bridge's name in *where; NULL when none.  Caller frees both. */
char *ipam_elsewhere (const char *bridge, const char *key, bool (*match) (const char *value, void *data), void *data,
                      char **where);

#endif
