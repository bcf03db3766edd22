/* tinyrun-net's settings: the command line, and the container's
 * annotations (org.tinyrun.net.*) for what the command line leaves out. */
#ifndef TINYRUN_NET_OPTIONS_H
#define TINYRUN_NET_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"
#include "net/nat.h"
#include "oci-spec/spec.h"
#include "util/error.h"

#define DEFAULT_BRIDGE "tinyrun0"
#define DEFAULT_SUBNET "10.89.0.0/24"
#define MAX_PORTS 64
#define MAX_DNS 8

struct options
{
  const char *bridge, *subnet, *subnet6, *ifname, *ip, *ip6;
  const char *publish[MAX_PORTS];
  size_t n_publish;
  const char *dns[MAX_DNS];
  size_t n_dns;
  bool no_dns;
  /* Parsed by options_check. */
  struct subnet s4, s6;
  struct ip_addr want4, want6;
  struct port ports[MAX_PORTS];
  size_t n_ports;
};

/* argv after the verb; 0, or 2 after printing the usage or the error. */
int options_parse (struct options *o, int argc, char **argv);
/* Fill what the flags left out from the annotations (which o then points
 * into): org.tinyrun.net.bridge, .subnet, .subnet6, .ip, .ip6, .ifname,
 * .publish and .dns (lists separated by commas or spaces, kept in *storage). */
void options_from_annotations (struct options *o, const kvlist *annotations, char **storage);
/* Validate and parse every value; the error names the flag. */
int options_check (struct options *o, tr_error_t *err);
/* The bridge name alone (what `down` and `gc` need). */
bool options_valid_bridge (const char *name);

int port_parse (const char *text, struct port *out, tr_error_t *err);

#endif
