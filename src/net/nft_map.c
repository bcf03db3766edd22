#include "config.h"
#include "net/nft_map.h"
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

/* BATCH_BEGIN, one NEWSETELEM or DELSETELEM of every port, BATCH_END. */
static void
build (struct nlmsg_req *r, int family, const char *table, int type, const struct port *ports, size_t n,
       const struct ip_addr *addr)
{
  struct nfgenmsg batch = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0,
                            .res_id = htons (NFNL_SUBSYS_NFTABLES) };
  struct nfgenmsg elems = { .nfgen_family = (uint8_t) (family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6),
                            .version = NFNETLINK_V0 };
  nlmsg_start (r, 1, NFNL_MSG_BATCH_BEGIN, 0, &batch, sizeof batch);
  nlmsg_append (r, 2, (NFNL_SUBSYS_NFTABLES << 8) | type,
                NLM_F_ACK | (type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0), &elems, sizeof elems);
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
  nlmsg_append (r, 3, NFNL_MSG_BATCH_END, 0, &batch, sizeof batch);
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

static int
transact (int family, const char *bridge, int type, const struct port *ports, size_t n, const struct ip_addr *addr,
          tr_error_t *err)
{
  char table[64];
  snprintf (table, sizeof table, "tinyrun-net-%s", bridge);
  int fd = nlmsg_socket (NETLINK_NETFILTER, err);
  if (fd < 0)
    return -1;
  struct nlmsg_req r;
  build (&r, family, table, type, ports, n, addr);
  int ret = nlmsg_transact (fd, &r, NULL, NULL);
  int saved = errno;
  close_detached (fd);
  if (ret < 0)
    return tr_error (err, saved, "%s element of map %s %s ports", type == NFT_MSG_NEWSETELEM ? "add" : "delete",
                     family == AF_INET ? "ip" : "ip6", table);
  return 0;
}

int
nft_map_add (const char *bridge, const struct port *ports, size_t n, const struct ip_addr *addr, tr_error_t *err)
{
  return transact (addr->family, bridge, NFT_MSG_NEWSETELEM, ports, n, addr, err);
}

int
nft_map_del (const char *bridge, int family, const struct port *ports, size_t n, tr_error_t *err)
{
  return transact (family, bridge, NFT_MSG_DELSETELEM, ports, n, NULL, err);
}
