#include "config.h"
#include "net/nfnl.h"
#include "net/detached.h"
#include "linux/nlmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/membarrier.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A concatenation's fields each take whole 32-bit registers: the key
 * "inet_proto . inet_service" is the protocol byte and the port in network
 * order, each padded to 4 bytes; the data "ipv4_addr . inet_service" (or
 * ipv6_addr) the address and the port so padded. */
#define KEY_LEN 8

static void
key_of (const struct port *p, unsigned char key[KEY_LEN])
{
  memset (key, 0, KEY_LEN);
  key[0] = (unsigned char) p->proto;
  key[4] = (unsigned char) (p->host >> 8);
  key[5] = (unsigned char) (p->host & 0xff);
}

static size_t
data_of (const struct ip_addr *addr, uint16_t port, unsigned char data[20])
{
  size_t len = addr->family == AF_INET ? 4 : 16;
  memset (data, 0, 20);
  memcpy (data, addr->b, len);
  data[len] = (unsigned char) (port >> 8);
  data[len + 1] = (unsigned char) (port & 0xff);
  return len + 4;
}

static void
put_value (struct nlmsg_req *r, int type, const unsigned char *value, size_t len)
{
  size_t nest = nlmsg_nest_start (r, type);
  nlmsg_put (r, NFTA_DATA_VALUE, value, len);
  nlmsg_nest_end (r, nest);
}

/* BATCH_BEGIN, then the request of type with its family, BATCH_END:
 * the caller puts the request's attributes between batch_open and
 * batch_close. */
static void
batch_open (struct nlmsg_req *r, int family, int type, int flags)
{
  struct nfgenmsg batch = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0,
                            .res_id = htons (NFNL_SUBSYS_NFTABLES) };
  struct nfgenmsg req = { .nfgen_family = (uint8_t) (family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6),
                          .version = NFNETLINK_V0 };
  nlmsg_start (r, 1, NFNL_MSG_BATCH_BEGIN, 0, &batch, sizeof batch);
  nlmsg_append (r, 2, (NFNL_SUBSYS_NFTABLES << 8) | type, NLM_F_ACK | flags, &req, sizeof req);
}

static void
batch_close (struct nlmsg_req *r)
{
  struct nfgenmsg batch = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0,
                            .res_id = htons (NFNL_SUBSYS_NFTABLES) };
  nlmsg_append (r, 3, NFNL_MSG_BATCH_END, 0, &batch, sizeof batch);
}

/* One NEWSETELEM or DELSETELEM of every port. */
static void
build_elements (struct nlmsg_req *r, int family, const char *table, int type, const struct port *ports, size_t n,
                const struct ip_addr *addr)
{
  batch_open (r, family, type, type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0);
  nlmsg_put_str (r, NFTA_SET_ELEM_LIST_TABLE, table);
  nlmsg_put_str (r, NFTA_SET_ELEM_LIST_SET, "ports");
  size_t list = nlmsg_nest_start (r, NFTA_SET_ELEM_LIST_ELEMENTS);
  for (size_t i = 0; i < n; i++)
    {
      unsigned char key[KEY_LEN], data[20];
      size_t elem = nlmsg_nest_start (r, NFTA_LIST_ELEM);
      key_of (&ports[i], key);
      put_value (r, NFTA_SET_ELEM_KEY, key, sizeof key);
      if (addr)
        put_value (r, NFTA_SET_ELEM_DATA, data, data_of (addr, ports[i].ctr, data));
      nlmsg_nest_end (r, elem);
    }
  nlmsg_nest_end (r, list);
  batch_close (r);
}

/* The socket's last close, where it may wait for the kernel's grace
 * period: in a detached child (or here, when none can be made).  That
 * wait holds nf_tables' commit mutex, so every nftables change meanwhile
 * (the next container's `up`) would wait as well: the child first waits
 * for a grace period of its own, holding nothing (membarrier's global
 * command is synchronize_rcu), by when the kernel's frees are done and
 * the close has nothing to wait for. */
static void
close_detached (int fd)
{
  pid_t child = fork_detached (fd);
  if (child == 0)
    {
      syscall (SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
      close (fd);
      _exit (0);
    }
  close (fd);
}

/* Send the batch on a socket of its own; its last close is detached. */
static int
send_batch (struct nlmsg_req *r)
{
  tr_error_t ignored = NULL;
  int fd = nlmsg_socket (NETLINK_NETFILTER, &ignored);
  if (fd < 0)
    {
      int saved = ignored ? ignored->status : errno;
      tr_error_free (&ignored);
      return errno = saved, -1;
    }
  int ret = nlmsg_transact (fd, r, NULL, NULL);
  int saved = errno;
  close_detached (fd);
  errno = saved;
  return ret;
}

static const char *
family_name (int family)
{
  return family == AF_INET ? "ip" : "ip6";
}

static int
elements (int family, const char *bridge, int type, const struct port *ports, size_t n, const struct ip_addr *addr,
          tr_error_t *err)
{
  char table[64];
  snprintf (table, sizeof table, "tinyrun-net-%s", bridge);
  struct nlmsg_req r;
  build_elements (&r, family, table, type, ports, n, addr);
  if (send_batch (&r) < 0)
    return tr_error (err, errno, "%s element of map %s %s ports", type == NFT_MSG_NEWSETELEM ? "add" : "delete",
                     family_name (family), table);
  return 0;
}

int
nfnl_map_add (const char *bridge, const struct port *ports, size_t n, const struct ip_addr *addr, tr_error_t *err)
{
  return elements (addr->family, bridge, NFT_MSG_NEWSETELEM, ports, n, addr, err);
}

int
nfnl_map_del (const char *bridge, int family, const struct port *ports, size_t n, tr_error_t *err)
{
  return elements (family, bridge, NFT_MSG_DELSETELEM, ports, n, NULL, err);
}

int
nfnl_table_del (const char *bridge, int family, tr_error_t *err)
{
  char table[64];
  snprintf (table, sizeof table, "tinyrun-net-%s", bridge);
  struct nlmsg_req r;
  batch_open (&r, family, NFT_MSG_DELTABLE, 0);
  nlmsg_put_str (&r, NFTA_TABLE_NAME, table);
  batch_close (&r);
  if (send_batch (&r) < 0 && errno != ENOENT)
    return tr_error (err, errno, "delete table %s %s", family_name (family), table);
  return 0;
}
