#include "config.h"
#include "linux/nlmsg.h"
#include "util/cleanup.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECV_SIZE 32768

int
nlmsg_socket (tr_error_t *err)
{
  cleanup_close int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    return tr_error (err, errno, "open a netlink socket");
  struct sockaddr_nl local = { .nl_family = AF_NETLINK };
  if (bind (fd, (struct sockaddr *) &local, sizeof local) < 0)
    return tr_error (err, errno, "bind a netlink socket");
  return steal_fd (&fd);
}

static struct nlmsghdr *
head (struct nlmsg_req *r)
{
  return (struct nlmsghdr *) r->buf;
}

struct nlmsghdr *
nlmsg_start (struct nlmsg_req *r, uint32_t seq, int type, int flags, const void *header, size_t len)
{
  memset (r, 0, sizeof *r);
  struct nlmsghdr *nlh = head (r);
  nlh->nlmsg_type = (uint16_t) type;
  nlh->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | flags);
  nlh->nlmsg_seq = seq;
  nlh->nlmsg_len = NLMSG_HDRLEN;
  nlmsg_put_raw (r, header, len);
  return nlh;
}

void *
nlmsg_header (struct nlmsg_req *r)
{
  return r->buf + NLMSG_HDRLEN;
}

/* Room for len more bytes at the aligned end, or the request overflows
 * (and stays as it was). */
static char *
reserve (struct nlmsg_req *r, size_t len)
{
  size_t at = NLMSG_ALIGN (head (r)->nlmsg_len);
  if (r->overflow || len > sizeof r->buf - at)
    {
      r->overflow = true;
      return NULL;
    }
  head (r)->nlmsg_len = (uint32_t) (at + len);
  return r->buf + at;
}

void
nlmsg_put_raw (struct nlmsg_req *r, const void *data, size_t len)
{
  char *to = reserve (r, len);
  if (to && len)
    memcpy (to, data, len);
}

void
nlmsg_put (struct nlmsg_req *r, int type, const void *data, size_t len)
{
  struct rtattr rta = { .rta_type = (unsigned short) type, .rta_len = (unsigned short) RTA_LENGTH (len) };
  char *to = len <= 0xffff - RTA_LENGTH (0) ? reserve (r, RTA_LENGTH (len)) : NULL;
  if (to == NULL)
    {
      r->overflow = true;
      return;
    }
  memcpy (to, &rta, sizeof rta);
  if (len)
    memcpy (to + RTA_LENGTH (0), data, len);
}

void
nlmsg_put_u32 (struct nlmsg_req *r, int type, uint32_t value)
{
  nlmsg_put (r, type, &value, sizeof value);
}

void
nlmsg_put_str (struct nlmsg_req *r, int type, const char *s)
{
  nlmsg_put (r, type, s, strlen (s) + 1);
}

size_t
nlmsg_nest_start (struct nlmsg_req *r, int type)
{
  size_t at = NLMSG_ALIGN (head (r)->nlmsg_len);
  nlmsg_put (r, type | NLA_F_NESTED, NULL, 0);
  return at;
}

void
nlmsg_nest_end (struct nlmsg_req *r, size_t start)
{
  if (r->overflow)
    return;
  struct rtattr *rta = (struct rtattr *) (r->buf + start);
  rta->rta_len = (unsigned short) (head (r)->nlmsg_len - start);
}

/* One datagram of replies: 1 when the request is answered, 0 to read
 * more, -1 with errno. */
static int
replies (const char *buf, size_t left, const struct nlmsghdr *req, nlmsg_cb cb, void *data)
{
  for (const struct nlmsghdr *m = (const struct nlmsghdr *) buf; NLMSG_OK (m, left); m = NLMSG_NEXT (m, left))
    {
      if (m->nlmsg_seq != req->nlmsg_seq)
        continue;
      if (m->nlmsg_type == NLMSG_DONE)
        return 1;
      if (m->nlmsg_type == NLMSG_ERROR)
        {
          const struct nlmsgerr *e = NLMSG_DATA (m);
          if (m->nlmsg_len < NLMSG_LENGTH (sizeof *e))
            return errno = EPROTO, -1;
          if (e->error == 0)
            return 1;
          errno = -e->error;
          return -1;
        }
      if (cb && cb (m, data) < 0)
        return -1;
      if (!(m->nlmsg_flags & NLM_F_MULTI) && !(req->nlmsg_flags & NLM_F_ACK))
        return 1;
    }
  return 0;
}

int
nlmsg_transact (int fd, struct nlmsg_req *r, nlmsg_cb cb, void *data)
{
  if (r->overflow)
    return errno = EMSGSIZE, -1;
  const struct nlmsghdr *req = head (r);
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  if (sendto (fd, req, req->nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
    return -1;
  static char buf[RECV_SIZE] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  for (;;)
    {
      struct sockaddr_nl from;
      socklen_t fromlen = sizeof from;
      ssize_t n = recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &fromlen);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n == 0 ? (errno = EPROTO, -1) : -1;
      if (fromlen != sizeof from || from.nl_pid != 0)
        continue; /* only the kernel answers */
      int done = replies (buf, (size_t) n, req, cb, data);
      if (done != 0)
        return done < 0 ? -1 : 0;
    }
}

void
nlmsg_attrs (const struct nlmsghdr *m, size_t hdrlen, const struct rtattr **tb, int max)
{
  memset (tb, 0, sizeof *tb * (size_t) (max + 1));
  if (m->nlmsg_len < NLMSG_SPACE (hdrlen))
    return;
  size_t len = m->nlmsg_len - NLMSG_SPACE (hdrlen);
  const struct rtattr *a = (const struct rtattr *) ((const char *) NLMSG_DATA (m) + NLMSG_ALIGN (hdrlen));
  for (; RTA_OK (a, len); a = RTA_NEXT (a, len))
    {
      int type = a->rta_type & NLA_TYPE_MASK;
      if (type <= max)
        tb[type] = a;
    }
}

uint32_t
nlmsg_attr_u32 (const struct rtattr *a)
{
  uint32_t v = 0;
  if (a && RTA_PAYLOAD (a) >= sizeof v)
    memcpy (&v, RTA_DATA (a), sizeof v);
  return v;
}
