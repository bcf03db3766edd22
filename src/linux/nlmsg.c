#include "config.h"
#include "linux/nlmsg.h"
#include "util/cleanup.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECV_SIZE 32768

int
nlmsg_socket (int protocol, tr_error_t *err)
{
  cleanup_close int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0)
    return tr_error (err, errno, "open a netlink socket");
  struct sockaddr_nl local = { .nl_family = AF_NETLINK };
  if (bind (fd, (struct sockaddr *) &local, sizeof local) < 0)
    return tr_error (err, errno, "bind a netlink socket");
  return steal_fd (&fd);
}

/* The message being built. */
static struct nlmsghdr *
head (struct nlmsg_req *r)
{
  return (struct nlmsghdr *) (r->buf + r->at);
}

/* Where the requests end. */
static size_t
end_of (const struct nlmsg_req *r)
{
  return r->at + ((const struct nlmsghdr *) (r->buf + r->at))->nlmsg_len;
}

/* Room for len more bytes at the aligned end of the newest message, or
 * the request overflows (and stays as it was). */
static char *
reserve (struct nlmsg_req *r, size_t len)
{
  size_t at = NLMSG_ALIGN (end_of (r));
  if (r->overflow || at > sizeof r->buf || len > sizeof r->buf - at)
    {
      r->overflow = true;
      return NULL;
    }
  head (r)->nlmsg_len = (uint32_t) (at + len - r->at);
  return r->buf + at;
}

static struct nlmsghdr *
begin (struct nlmsg_req *r, size_t at, uint32_t seq, int type, int flags, const void *header, size_t len)
{
  if (at + NLMSG_HDRLEN > sizeof r->buf)
    {
      r->overflow = true;
      return head (r);
    }
  r->at = at;
  struct nlmsghdr *nlh = head (r);
  nlh->nlmsg_type = (uint16_t) type;
  nlh->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | flags);
  nlh->nlmsg_seq = seq;
  nlh->nlmsg_pid = 0;
  nlh->nlmsg_len = NLMSG_HDRLEN;
  nlmsg_put_raw (r, header, len);
  return nlh;
}

struct nlmsghdr *
nlmsg_start (struct nlmsg_req *r, uint32_t seq, int type, int flags, const void *header, size_t len)
{
  memset (r, 0, sizeof *r);
  return begin (r, 0, seq, type, flags, header, len);
}

struct nlmsghdr *
nlmsg_append (struct nlmsg_req *r, uint32_t seq, int type, int flags, const void *header, size_t len)
{
  size_t at = NLMSG_ALIGN (end_of (r));
  if (r->overflow || at > sizeof r->buf)
    {
      r->overflow = true;
      return head (r);
    }
  memset (r->buf + at, 0, sizeof r->buf - at);
  return begin (r, at, seq, type, flags, header, len);
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
  size_t at = NLMSG_ALIGN (end_of (r));
  nlmsg_put (r, type | NLA_F_NESTED, NULL, 0);
  return at;
}

void
nlmsg_nest_end (struct nlmsg_req *r, size_t start)
{
  if (r->overflow)
    return;
  struct rtattr *rta = (struct rtattr *) (r->buf + start);
  rta->rta_len = (unsigned short) (end_of (r) - start);
}

/* What the replies are waited for: the sequence numbers of the requests
 * and how many acknowledgements are still due. */
struct waiting
{
  uint32_t first_seq, last_seq;
  size_t acks;   /* 0: one request without NLM_F_ACK */
  bool dump_or_get;
};

static struct waiting
waiting_for (const struct nlmsg_req *r)
{
  struct waiting w = { .first_seq = ((const struct nlmsghdr *) r->buf)->nlmsg_seq };
  size_t end = end_of (r);
  for (size_t at = 0; at < end;)
    {
      const struct nlmsghdr *m = (const struct nlmsghdr *) (r->buf + at);
      w.last_seq = m->nlmsg_seq;
      if (m->nlmsg_flags & NLM_F_ACK)
        w.acks++;
      at += NLMSG_ALIGN (m->nlmsg_len);
    }
  w.dump_or_get = w.acks == 0;
  return w;
}

/* One datagram of replies: 1 when the requests are answered, 0 to read
 * more, -1 with errno. */
static int
replies (const char *buf, size_t left, struct waiting *w, nlmsg_cb cb, void *data)
{
  for (const struct nlmsghdr *m = (const struct nlmsghdr *) buf; NLMSG_OK (m, left); m = NLMSG_NEXT (m, left))
    {
      if (m->nlmsg_seq < w->first_seq || m->nlmsg_seq > w->last_seq)
        continue;
      if (m->nlmsg_type == NLMSG_DONE)
        {
          /* A dump that failed part-way ends with the error here. */
          int error = 0;
          if (m->nlmsg_len >= NLMSG_LENGTH (sizeof error))
            memcpy (&error, NLMSG_DATA (m), sizeof error);
          return error < 0 ? (errno = -error, -1) : 1;
        }
      if (m->nlmsg_type == NLMSG_ERROR)
        {
          const struct nlmsgerr *e = NLMSG_DATA (m);
          if (m->nlmsg_len < NLMSG_LENGTH (sizeof *e))
            return errno = EPROTO, -1;
          if (e->error != 0)
            return errno = -e->error, -1;
          if (w->dump_or_get || --w->acks == 0)
            return 1;
          continue;
        }
      if (cb && cb (m, data) < 0)
        return -1;
      if (w->dump_or_get && !(m->nlmsg_flags & NLM_F_MULTI))
        return 1;
    }
  return 0;
}

int
nlmsg_transact (int fd, struct nlmsg_req *r, nlmsg_cb cb, void *data)
{
  if (r->overflow)
    return errno = EMSGSIZE, -1;
  struct waiting w = waiting_for (r);
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  if (sendto (fd, r->buf, end_of (r), 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
    return -1;
  /* One buffer for the process: no two threads transact at once. */
  static char buf[RECV_SIZE] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  for (;;)
    {
      struct sockaddr_nl from;
      socklen_t fromlen = sizeof from;
      ssize_t n = recvfrom (fd, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *) &from, &fromlen);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n == 0 ? (errno = EPROTO, -1) : -1;
      if ((size_t) n > sizeof buf)
        return errno = EMSGSIZE, -1; /* cut: its end, and perhaps the answer, lost */
      if (fromlen != sizeof from || from.nl_pid != 0)
        continue; /* only the kernel answers */
      int done = replies (buf, (size_t) n, &w, cb, data);
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
