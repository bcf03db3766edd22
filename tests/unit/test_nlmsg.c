#include "unit.h"
#include "linux/nlmsg.h"

#include <errno.h>
#include <linux/if_link.h>
#include <sys/socket.h>
#include <unistd.h>

/* A request with a nested attribute, then a second one appended: the
 * lengths and alignment the kernel parses. */
TEST (nlmsg_nested_and_appended)
{
  struct nlmsg_req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  nlmsg_start (&r, 7, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  nlmsg_put_str (&r, IFLA_IFNAME, "abc"); /* 4 + 4 bytes */
  size_t info = nlmsg_nest_start (&r, IFLA_LINKINFO);
  nlmsg_put_str (&r, IFLA_INFO_KIND, "veth"); /* 4 + 5, aligned to 12 */
  nlmsg_nest_end (&r, info);
  const struct nlmsghdr *first = (const struct nlmsghdr *) r.buf;
  CHECK (first->nlmsg_len == NLMSG_HDRLEN + sizeof ifi + 8 + 4 + 9);
  const struct rtattr *nest = (const struct rtattr *) (r.buf + info);
  CHECK (nest->rta_type == (IFLA_LINKINFO | NLA_F_NESTED));
  CHECK (nest->rta_len == 4 + 9);
  CHECK (!r.overflow);

  nlmsg_append (&r, 8, RTM_DELLINK, NLM_F_ACK, &ifi, sizeof ifi);
  size_t second_at = NLMSG_ALIGN (first->nlmsg_len);
  const struct nlmsghdr *second = (const struct nlmsghdr *) (r.buf + second_at);
  nlmsg_put_u32 (&r, IFLA_MTU, 1500);
  size_t n2 = nlmsg_nest_start (&r, IFLA_AF_SPEC);
  nlmsg_put_u32 (&r, 1, 2);
  nlmsg_nest_end (&r, n2);
  CHECK (second->nlmsg_seq == 8 && second->nlmsg_type == RTM_DELLINK);
  CHECK (second->nlmsg_len == NLMSG_HDRLEN + sizeof ifi + 8 + 4 + 8);
  CHECK (((const struct rtattr *) (r.buf + n2))->rta_len == 12);
  CHECK (first->nlmsg_len == NLMSG_HDRLEN + sizeof ifi + 8 + 4 + 9); /* untouched */

  /* The reply parser finds both attributes by type. */
  const struct rtattr *tb[IFLA_MAX + 1];
  nlmsg_attrs (second, sizeof ifi, tb, IFLA_MAX);
  CHECK (tb[IFLA_MTU] && nlmsg_attr_u32 (tb[IFLA_MTU]) == 1500);
  CHECK (tb[IFLA_AF_SPEC] != NULL && tb[IFLA_IFNAME] == NULL);
}

/* A request that outgrows its buffer is never sent: EMSGSIZE. */
TEST (nlmsg_overflow_is_refused)
{
  struct nlmsg_req r;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  nlmsg_start (&r, 1, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  char big[256];
  memset (big, 'x', sizeof big);
  for (int i = 0; i < 20; i++)
    nlmsg_put (&r, IFLA_IFALIAS, big, sizeof big);
  CHECK (r.overflow);
  int fds[2];
  CHECK (socketpair (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) == 0);
  errno = 0;
  CHECK (nlmsg_transact (fds[0], &r, NULL, NULL) == -1 && errno == EMSGSIZE);
  char b;
  CHECK (recv (fds[1], &b, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN); /* nothing sent */
  close (fds[0]);
  close (fds[1]);
}
