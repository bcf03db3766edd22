#include "config.h"
#include "net/nfnl.h"
#include "net/detached.h"
#include "net/options.h"
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

/* The largest batch, MAX_PORTS IPv6 elements (48 bytes each, after
 * ~110 bytes of batch, headers and names), fits one request. */
_Static_assert (MAX_PORTS * 48 + 160 <= NLMSG_REQ_SIZE, "a batch of every port fits one netlink request");

/* BATCH_BEGIN, then the request of type with its family, BATCH_END:
 * the caller puts the request's attributes between batch_open and
 * batch_close. */
static void
batch_open (struct nlmsg_req *r, uint32_t *seq, int family, int type, int flags)
{
  struct nfgenmsg batch = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0,
                            .res_id = htons (NFNL_SUBSYS_NFTABLES) };
  struct nfgenmsg req = { .nfgen_family = (uint8_t) (family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6),
                          .version = NFNETLINK_V0 };
  nlmsg_start (r, ++*seq, NFNL_MSG_BATCH_BEGIN, 0, &batch, sizeof batch);
  nlmsg_append (r, ++*seq, (NFNL_SUBSYS_NFTABLES << 8) | type, NLM_F_ACK | flags, &req, sizeof req);
}

static void
batch_close (struct nlmsg_req *r, uint32_t *seq)
{
  struct nfgenmsg batch = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0,
                            .res_id = htons (NFNL_SUBSYS_NFTABLES) };
  nlmsg_append (r, ++*seq, NFNL_MSG_BATCH_END, 0, &batch, sizeof batch);
}

/* One NEWSETELEM or DELSETELEM of every port. */
static void
build_elements (struct nlmsg_req *r, uint32_t *seq, int family, const char *table, int type, const struct port *ports,
                size_t n, const struct ip_addr *addr)
{
  batch_open (r, seq, family, type, type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0);
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
  batch_close (r, seq);
}

/* The socket's last close, where it may wait for the kernel's grace
 * period: in a detached child (or here, when none can be made).  That
 * wait holds nf_tables' commit mutex, so every nftables change meanwhile
 * (the next container's `up`) would wait as well: the child first waits
 * for a grace period of its own, holding nothing (membarrier's global
 * command is synchronize_rcu), by when the kernel's frees are done and
 * the close has nothing to wait for.  (A kernel without that command,
 * nohz_full or no CONFIG_MEMBARRIER, makes the next change wait again.) */
static void
close_detached (int fd)
{
  pid_t child = fork_detached (fd);
  if (child == 0)
    {
      (void) syscall (SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0); /* failing: closed at once */
      close (fd);
      _exit (0);
    }
  close (fd);
}

static const char *
family_name (int family)
{
  return family == AF_INET ? "ip" : "ip6";
}

/* The batches of one call go out on one socket, each with sequence
 * numbers of its own. */
struct nfnl
{
  int fd;
  int family;
  uint32_t seq;
  char table[64];
};

static int
nfnl_open (struct nfnl *n, const char *bridge, int family, tr_error_t *err)
{
  n->family = family;
  n->seq = 0;
  snprintf (n->table, sizeof n->table, "tinyrun-net-%s", bridge);
  n->fd = nlmsg_socket (NETLINK_NETFILTER, err);
  return n->fd < 0 ? -1 : 0;
}

static void
nfnl_close (struct nfnl *n)
{
  if (n->fd >= 0)
    close_detached (n->fd);
  n->fd = -1;
}

/* One batch of elements: 0, or -1 with errno. */
static int
elements (struct nfnl *n, int type, const struct port *ports, size_t count, const struct ip_addr *addr)
{
  struct nlmsg_req r;
  build_elements (&r, &n->seq, n->family, n->table, type, ports, count, addr);
  return nlmsg_transact (n->fd, &r, NULL, NULL);
}

int
nfnl_map_add (const char *bridge, const struct port *ports, size_t n, const struct ip_addr *addr, tr_error_t *err)
{
  struct nfnl nf;
  if (nfnl_open (&nf, bridge, addr->family, err) < 0)
    return -1;
  int ret = elements (&nf, NFT_MSG_NEWSETELEM, ports, n, addr);
  int saved = errno;
  nfnl_close (&nf);
  if (ret < 0)
    return tr_error (err, saved, "add elements to map %s %s ports", family_name (nf.family), nf.table);
  return 0;
}

int
nfnl_map_del (const char *bridge, int family, const struct port *ports, size_t n, tr_error_t *err)
{
  struct nfnl nf;
  if (nfnl_open (&nf, bridge, family, err) < 0)
    return -1;
  int ret = elements (&nf, NFT_MSG_DELSETELEM, ports, n, NULL);
  int saved = errno;
  if (ret < 0 && saved == ENOENT)
    {
      /* One was missing (a batch is all or nothing): one at a time, on
       * the same socket, the missing ones no error. */
      ret = 0;
      for (size_t i = 0; i < n; i++)
        if (elements (&nf, NFT_MSG_DELSETELEM, &ports[i], 1, NULL) < 0 && errno != ENOENT)
          {
            ret = -1;
            saved = errno;
          }
    }
  nfnl_close (&nf);
  if (ret < 0)
    return tr_error (err, saved, "delete elements of map %s %s ports", family_name (family), nf.table);
  return 0;
}

int
nfnl_table_del (const char *bridge, int family, tr_error_t *err)
{
  struct nfnl nf;
  if (nfnl_open (&nf, bridge, family, err) < 0)
    return -1;
  struct nlmsg_req r;
  batch_open (&r, &nf.seq, family, NFT_MSG_DELTABLE, 0);
  nlmsg_put_str (&r, NFTA_TABLE_NAME, nf.table);
  batch_close (&r, &nf.seq);
  int ret = nlmsg_transact (nf.fd, &r, NULL, NULL);
  int saved = errno;
  nfnl_close (&nf);
  if (ret < 0 && saved != ENOENT)
    return tr_error (err, saved, "delete table %s %s", family_name (family), nf.table);
  return 0;
}
