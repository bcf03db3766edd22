/* Addresses for the containers of one bridge, under
 * /run/tinyrun-net/<bridge>/: one file per address in use, holding the
 * container id; the directory is flock()ed while it changes. */
#ifndef TINYRUN_NET_IPAM_H
#define TINYRUN_NET_IPAM_H

#include <netinet/in.h>
#include <stdbool.h>

#include "util/error.h"

#define IPAM_ROOT "/run/tinyrun-net"

struct subnet
{
  struct in_addr network; /* host order arithmetic is done on s_addr via ntohl */
  int prefix;
};

/* "10.89.0.0/24"; the prefix must leave room for a gateway and a host. */
int subnet_parse (const char *text, struct subnet *out, tr_error_t *err);
struct in_addr subnet_gateway (const struct subnet *s);

struct ipam
{
  int dirfd;  /* locked */
  char dir[256];
};

/* Open (creating) and lock the bridge's directory. */
int ipam_open (struct ipam *ipam, const char *bridge, tr_error_t *err);
void ipam_close (struct ipam *ipam);

/* The id's address (allocating the lowest free one). */
int ipam_allocate (struct ipam *ipam, const struct subnet *s, const char *id, struct in_addr *out, tr_error_t *err);
/* Forget the id's address; 0 also when it had none. */
int ipam_release (struct ipam *ipam, const char *id, tr_error_t *err);
/* Does any container still hold an address? */
bool ipam_in_use (struct ipam *ipam);

/* Small named values kept next to the addresses ("forwarding", "subnet"). */
int ipam_put (struct ipam *ipam, const char *key, const char *value, tr_error_t *err);
char *ipam_get (struct ipam *ipam, const char *key);
/* The name of a value whose name starts with prefix and whose content is
 * value (NULL when none); caller frees. */
char *ipam_find (struct ipam *ipam, const char *prefix, const char *value);
/* Remove every such value. */
int ipam_forget (struct ipam *ipam, const char *prefix, const char *value, tr_error_t *err);
/* Remove the directory once nothing is left in it. */
void ipam_remove (struct ipam *ipam);

#endif
