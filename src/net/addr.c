#include "config.h"
#include "net/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
addr_len (int family)
{
  return family == AF_INET ? 4 : 16;
}

int
addr_parse (const char *text, int family, const char *flag, struct ip_addr *out, tr_error_t *err)
{
  memset (out, 0, sizeof *out);
  if ((family == 0 || family == AF_INET) && inet_pton (AF_INET, text, out->b) == 1)
    out->family = AF_INET;
  else if ((family == 0 || family == AF_INET6) && inet_pton (AF_INET6, text, out->b) == 1)
    out->family = AF_INET6;
  else
    return tr_error_plain (err, EINVAL, "%s: \"%s\" is not an %s address", flag, text,
                           family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : "IP");
  return 0;
}

const char *
addr_format (const struct ip_addr *a, char buf[ADDR_TEXT])
{
  if (a->family == 0 || inet_ntop (a->family, a->b, buf, ADDR_TEXT) == NULL)
    snprintf (buf, ADDR_TEXT, "?");
  return buf;
}

bool
addr_equal (const struct ip_addr *a, const struct ip_addr *b)
{
  return a->family == b->family && memcmp (a->b, b->b, addr_len (a->family)) == 0;
}

/* Clear the bits of a past prefix. */
static void
mask (struct ip_addr *a, int prefix)
{
  for (size_t i = 0; i < addr_len (a->family); i++)
    {
      int keep = prefix - (int) i * 8;
      if (keep <= 0)
        a->b[i] = 0;
      else if (keep < 8)
        a->b[i] &= (uint8_t) (0xff << (8 - keep));
    }
}

int
subnet_parse (const char *text, int family, const char *flag, struct subnet *out, tr_error_t *err)
{
  char addr[ADDR_TEXT];
  const char *slash = strchr (text, '/');
  const char *example = family == AF_INET ? "an IPv4 CIDR like 10.89.0.0/24" : "an IPv6 CIDR like fd00:89::/64";
  int lo = family == AF_INET ? 8 : 48, hi = family == AF_INET ? 30 : 120;
  if (slash == NULL || (size_t) (slash - text) >= sizeof addr)
    return tr_error_plain (err, EINVAL, "%s: \"%s\" is not %s", flag, text, example);
  memcpy (addr, text, (size_t) (slash - text));
  addr[slash - text] = '\0';
  char *end;
  errno = 0;
  long prefix = strtol (slash + 1, &end, 10);
  if (addr_parse (addr, family, flag, &out->net, NULL) < 0 || end == slash + 1 || *end || errno || prefix < lo
      || prefix > hi)
    return tr_error_plain (err, EINVAL, "%s: \"%s\" is not %s with a prefix of %d to %d", flag, text, example, lo,
                           hi);
  mask (&out->net, (int) prefix);
  out->prefix = (int) prefix;
  return 0;
}

const char *
subnet_format (const struct subnet *s, char buf[ADDR_TEXT + 4])
{
  char a[ADDR_TEXT];
  snprintf (buf, ADDR_TEXT + 4, "%s/%d", addr_format (&s->net, a), s->prefix);
  return buf;
}

/* The host part's low 32 bits (every index tinyrun-net uses fits). */
struct ip_addr
subnet_at (const struct subnet *s, uint32_t n)
{
  struct ip_addr a = s->net;
  size_t len = addr_len (a.family);
  uint64_t carry = n;
  for (size_t i = len; i-- > 0 && carry;)
    {
      carry += a.b[i];
      a.b[i] = (uint8_t) carry;
      carry >>= 8;
    }
  return a;
}

int64_t
subnet_index (const struct subnet *s, const struct ip_addr *a)
{
  if (a->family != s->net.family)
    return -1;
  struct ip_addr net = *a;
  mask (&net, s->prefix);
  if (!addr_equal (&net, &s->net))
    return -1;
  size_t len = addr_len (a->family);
  uint64_t n = 0;
  for (size_t i = len - 4; i < len; i++)
    n = n << 8 | a->b[i];
  for (size_t i = 0; i < len - 4; i++)
    if (a->b[i] != s->net.b[i])
      return INT64_MAX; /* beyond any index we hand out */
  return (int64_t) (n - ((uint64_t) s->net.b[len - 4] << 24 | (uint64_t) s->net.b[len - 3] << 16
                         | (uint64_t) s->net.b[len - 2] << 8 | s->net.b[len - 1]));
}

uint32_t
subnet_last (const struct subnet *s)
{
  int host_bits = (int) addr_len (s->net.family) * 8 - s->prefix;
  if (s->net.family == AF_INET)
    return (uint32_t) ((1ull << host_bits) - 2);
  return host_bits >= 20 ? (1u << 20) : (uint32_t) ((1ull << host_bits) - 1);
}

bool
subnet_overlaps (const struct subnet *a, const struct subnet *b)
{
  if (a->net.family != b->net.family)
    return false;
  int shorter = a->prefix < b->prefix ? a->prefix : b->prefix;
  struct ip_addr x = a->net, y = b->net;
  mask (&x, shorter);
  mask (&y, shorter);
  return addr_equal (&x, &y);
}
