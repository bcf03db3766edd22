#include "config.h"
#include "net/options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE                                                                                              \
  "usage: tinyrun-net up [--bridge NAME] [--subnet CIDR] [--subnet6 CIDR] [--ip ADDR] [--ip6 ADDR]\n"    \
  "                      [--publish HOSTPORT:CTRPORT[/tcp|/udp]]... [--dns ADDR]... [--no-dns]\n"        \
  "                      [--ifname NAME] < state.json\n"                                                   \
  "       tinyrun-net down [--bridge NAME] < state.json\n"                                                 \
  "       tinyrun-net gc [--bridge NAME]\n"

static int
usage (void)
{
  fputs (USAGE, stderr);
  return 2;
}

/* An interface name the kernel takes (1 to 15 bytes, no '/', no
 * whitespace, not "." or ".."); strict: only [A-Za-z0-9_.-] as well, since
 * the bridge's name is part of nft commands and table names. */
static bool
valid_ifname (const char *name, bool strict)
{
  size_t len = strlen (name);
  if (len == 0 || len > 15 || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return false;
  for (const char *p = name; *p; p++)
    {
      unsigned char ch = (unsigned char) *p;
      if (ch == '/' || ch == ':' || isspace (ch) || ch < 0x20 || ch >= 0x7f)
        return false;
      if (strict && !isalnum (ch) && ch != '_' && ch != '.' && ch != '-')
        return false;
    }
  return true;
}

bool
options_valid_bridge (const char *name)
{
  return valid_ifname (name, true);
}

static int
check_ifname (const char *flag, const char *name, bool strict, tr_error_t *err)
{
  if (valid_ifname (name, strict))
    return 0;
  return tr_error_plain (err, EINVAL, "%s: \"%s\" is not a valid interface name (1 to 15 bytes%s, not \".\" or \"..\")",
                         flag, name, strict ? " of [A-Za-z0-9_.-]" : " without '/', ':' or whitespace");
}

static bool
add (const char **list, size_t *n, size_t max, const char *value)
{
  if (*n == max)
    return false;
  list[(*n)++] = value;
  return true;
}

int
options_parse (struct options *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "bridge", required_argument, NULL, 'b' }, { "subnet", required_argument, NULL, 's' },
    { "subnet6", required_argument, NULL, '6' }, { "ifname", required_argument, NULL, 'i' },
    { "ip", required_argument, NULL, 'a' },      { "ip6", required_argument, NULL, 'A' },
    { "publish", required_argument, NULL, 'p' }, { "dns", required_argument, NULL, 'd' },
    { "no-dns", no_argument, NULL, 'D' },        { NULL, 0, NULL, 0 },
  };
  int ch;
  optind = 1;
  while ((ch = getopt_long (argc, argv, "p:", longopts, NULL)) != -1)
    {
      bool ok = true;
      if (ch == 'b')
        o->bridge = optarg;
      else if (ch == 's')
        o->subnet = optarg;
      else if (ch == '6')
        o->subnet6 = optarg;
      else if (ch == 'i')
        o->ifname = optarg;
      else if (ch == 'a')
        o->ip = optarg;
      else if (ch == 'A')
        o->ip6 = optarg;
      else if (ch == 'p')
        ok = add (o->publish, &o->n_publish, MAX_PORTS, optarg);
      else if (ch == 'd')
        ok = add (o->dns, &o->n_dns, MAX_DNS, optarg);
      else if (ch == 'D')
        o->no_dns = true;
      else
        return usage ();
      if (!ok)
        {
          fprintf (stderr, "tinyrun-net: at most %d --publish and %d --dns\n", MAX_PORTS, MAX_DNS);
          return 2;
        }
    }
  if (optind != argc)
    return usage ();
  if (o->bridge && !valid_ifname (o->bridge, true))
    {
      tr_error_t err = NULL;
      check_ifname ("--bridge", o->bridge, true, &err);
      fprintf (stderr, "tinyrun-net: %s\n", err->msg);
      tr_error_free (&err);
      return 2;
    }
  return 0;
}

static const char *
annotation (const kvlist *a, const char *name)
{
  char key[64];
  snprintf (key, sizeof key, "org.tinyrun.net.%s", name);
  for (size_t i = 0; a && i < a->n; i++)
    if (strcmp (a->v[i].key, key) == 0)
      return a->v[i].value;
  return NULL;
}

static void
set_from (const char **field, const kvlist *a, const char *name)
{
  const char *v = *field ? NULL : annotation (a, name);
  if (v && *v)
    *field = v;
}

/* Split a copy of the annotation's list into the empty list. */
static void
list_from (const char **list, size_t *n, size_t max, const kvlist *a, const char *name, char **storage)
{
  const char *v = *n ? NULL : annotation (a, name);
  if (v == NULL || (*storage = strdup (v)) == NULL)
    return;
  for (char *save = NULL, *item = strtok_r (*storage, ", ", &save); item; item = strtok_r (NULL, ", ", &save))
    add (list, n, max, item);
}

void
options_from_annotations (struct options *o, const kvlist *annotations, char **storage)
{
  set_from (&o->bridge, annotations, "bridge");
  set_from (&o->subnet, annotations, "subnet");
  set_from (&o->subnet6, annotations, "subnet6");
  set_from (&o->ifname, annotations, "ifname");
  set_from (&o->ip, annotations, "ip");
  set_from (&o->ip6, annotations, "ip6");
  list_from (o->publish, &o->n_publish, MAX_PORTS, annotations, "publish", &storage[0]);
  list_from (o->dns, &o->n_dns, MAX_DNS, annotations, "dns", &storage[1]);
  if (o->bridge == NULL)
    o->bridge = DEFAULT_BRIDGE;
  if (o->subnet == NULL)
    o->subnet = DEFAULT_SUBNET;
  if (o->ifname == NULL)
    o->ifname = "eth0";
}

static int
port_number (const char *text, const char *whole, uint16_t *out, tr_error_t *err)
{
  char *end;
  errno = 0;
  long n = strtol (text, &end, 10);
  if (end == text || (*end && *end != ':' && *end != '/') || errno || n < 1 || n > 65535)
    return tr_error_plain (err, EINVAL, "--publish: \"%s\": a port is a number from 1 to 65535", whole);
  *out = (uint16_t) n;
  return 0;
}

int
port_parse (const char *text, struct port *out, tr_error_t *err)
{
  const char *colon = strchr (text, ':'), *slash = strchr (text, '/');
  out->proto = IPPROTO_TCP;
  if (slash)
    {
      if (strcmp (slash, "/udp") == 0)
        out->proto = IPPROTO_UDP;
      else if (strcmp (slash, "/tcp") != 0)
        return tr_error_plain (err, EINVAL, "--publish: \"%s\": the protocol is /tcp or /udp", text);
    }
  if (colon == NULL || (slash && colon > slash))
    return tr_error_plain (err, EINVAL, "--publish: \"%s\" is not HOSTPORT:CTRPORT[/tcp|/udp]", text);
  if (port_number (text, text, &out->host, err) < 0 || port_number (colon + 1, text, &out->ctr, err) < 0)
    return -1;
  return 0;
}

static int
check_ports (struct options *o, tr_error_t *err)
{
  for (size_t i = 0; i < o->n_publish; i++)
    {
      if (port_parse (o->publish[i], &o->ports[i], err) < 0)
        return -1;
      for (size_t j = 0; j < i; j++)
        if (o->ports[j].host == o->ports[i].host && o->ports[j].proto == o->ports[i].proto)
          return tr_error_plain (err, EINVAL, "--publish: host port %u/%s is given twice", o->ports[i].host,
                                 port_proto_name (o->ports[i].proto));
    }
  o->n_ports = o->n_publish;
  return 0;
}

int
options_check (struct options *o, tr_error_t *err)
{
  if (check_ifname ("--bridge", o->bridge, true, err) < 0 || check_ifname ("--ifname", o->ifname, false, err) < 0
      || subnet_parse (o->subnet, AF_INET, "--subnet", &o->s4, err) < 0
      || (o->subnet6 && subnet_parse (o->subnet6, AF_INET6, "--subnet6", &o->s6, err) < 0)
      || (o->ip && addr_parse (o->ip, AF_INET, "--ip", &o->want4, err) < 0)
      || (o->ip6 && addr_parse (o->ip6, AF_INET6, "--ip6", &o->want6, err) < 0) || check_ports (o, err) < 0)
    return -1;
  if (o->ip6 && o->subnet6 == NULL)
    return tr_error_plain (err, EINVAL, "--ip6: needs --subnet6");
  for (size_t i = 0; i < o->n_dns; i++)
    {
      struct ip_addr a;
      if (addr_parse (o->dns[i], 0, "--dns", &a, err) < 0)
        return -1;
    }
  return 0;
}
