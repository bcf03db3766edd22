#include "config.h"
#include "linux/caps.h"
#include "util/cleanup.h"
#include "util/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

int
cap_last (void)
{
  static int last = -1;
  if (last < 0)
    {
      /* libcap probed the bounding set for it when it was loaded (the
       * kernel's CAP_LAST_CAP + 1), as /proc/sys/kernel/cap_last_cap says. */
      unsigned bits = cap_max_bits ();
      last = bits > 0 ? (int) bits - 1 : CAP_LAST_CAP;
    }
  return last;
}

int
cap_number (const char *name)
{
  char lower[64];
  size_t i;
  for (i = 0; name[i] && i < sizeof lower - 1; i++)
    lower[i] = (char) tolower ((unsigned char) name[i]);
  lower[i] = '\0';
  if (strncmp (lower, "cap_", 4) != 0)
    return -1;
  cap_value_t v;
  if (cap_from_name (lower, &v) < 0)
    return -1;
  return (int) v;
}

static bool
listed (const strlist *l, int cap)
{
  for (size_t i = 0; i < l->n; i++)
    if (cap_number (l->v[i]) == cap)
      return true;
  return false;
}

static const strlist *
cap_set (const struct spec_capabilities *c, size_t i)
{
  const strlist *sets[] = { &c->bounding, &c->effective, &c->permitted, &c->inheritable, &c->ambient };
  return i < sizeof sets / sizeof sets[0] ? sets[i] : NULL;
}

/* Has an earlier set, or an earlier entry of set k, named this cap? */
static bool
seen_before (const struct spec_capabilities *c, size_t k, size_t i, int cap)
{
  for (size_t j = 0; j <= k; j++)
    {
      const strlist *l = cap_set (c, j);
      for (size_t m = 0; m < (j == k ? i : l->n); m++)
        if (cap_number (l->v[m]) == cap)
          return true;
    }
  return false;
}

/* The same for a name no capability has, compared as written. */
static bool
name_seen_before (const struct spec_capabilities *c, size_t k, size_t i)
{
  const char *name = cap_set (c, k)->v[i];
  for (size_t j = 0; j <= k; j++)
    {
      const strlist *l = cap_set (c, j);
      for (size_t m = 0; m < (j == k ? i : l->n); m++)
        if (strcmp (l->v[m], name) == 0)
          return true;
    }
  return false;
}

void
caps_warn_unavailable (const struct spec_capabilities *c)
{
  const strlist *l;
  for (size_t k = 0; (l = cap_set (c, k)) != NULL; k++)
    for (size_t i = 0; i < l->n; i++)
      {
        int cap = cap_number (l->v[i]);
        if (cap < 0)
          {
            /* runc (capabilities.New) ignores a name it does not know,
             * with a warning; so does the init (set_flag). */
            if (!name_seen_before (c, k, i))
              log_warning ("unknown capability %s: ignored", l->v[i]);
            continue;
          }
        if (seen_before (c, k, i, cap))
          continue;
        if (cap > cap_last ())
          log_warning ("capability %s is not known to this kernel: ignored", l->v[i]);
        else if (prctl (PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
          {
            char *name = cap_to_name ((cap_value_t) cap);
            log_warning ("capability %s is not in the host's bounding set: dropped", name ? name : l->v[i]);
            cap_free (name);
          }
      }
}

int
caps_set_bounding (const struct spec_capabilities *c, tr_error_t *err)
{
  int last = cap_last ();
  for (int cap = 0; cap <= last; cap++)
    {
      if (listed (&c->bounding, cap))
        {
          /* caps_warn_unavailable told the user, before the container ran. */
          if (prctl (PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
            log_debug ("capability %s is not in the host's bounding set: dropped", cap_to_name (cap));
          continue;
        }
      if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        return tr_error (err, errno, "drop %s from the bounding set", cap_to_name (cap));
    }
  return 0;
}

/* Add the caps of list l to flag in caps, skipping (with a warning) any
 * that this process cannot have. */
static int
set_flag (cap_t caps, cap_t mine, cap_flag_t flag, const strlist *l, tr_error_t *err)
{
  for (size_t i = 0; i < l->n; i++)
    {
      int cap = cap_number (l->v[i]);
      if (cap < 0 || cap > cap_last ())
        {
          log_debug ("capability %s is not known to this kernel: ignored", l->v[i]);
          continue;
        }
      cap_flag_value_t have = CAP_CLEAR;
      cap_get_flag (mine, (cap_value_t) cap, CAP_PERMITTED, &have);
      /* An inheritable capability must at least be in the bounding set. */
      if (flag == CAP_INHERITABLE && prctl (PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
        have = CAP_SET;
      if (have != CAP_SET)
        {
          log_debug ("capability %s is not available on this host: dropped", l->v[i]);
          continue;
        }
      cap_value_t v = (cap_value_t) cap;
      if (cap_set_flag (caps, flag, 1, &v, CAP_SET) < 0)
        return tr_error (err, errno, "set capability %s", l->v[i]);
    }
  return 0;
}

/* libcap's cap_t, freed at the end of its scope. */
static void
cleanup_capp (cap_t *p)
{
  if (*p)
    cap_free (*p);
}
#define cleanup_cap __attribute__ ((cleanup (cleanup_capp)))

static void
raise_ambient (const strlist *ambient)
{
  for (size_t i = 0; i < ambient->n; i++)
    {
      int cap = cap_number (ambient->v[i]);
      if (cap < 0 || cap > cap_last ())
        continue;
      /* The kernel only raises an ambient capability that is also
       * permitted and inheritable; runc's default spec lists ambient
       * capabilities without inheritable ones, so this is common. */
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
        log_debug ("ambient capability %s: %s: dropped", ambient->v[i], strerror (errno));
    }
}

int
caps_apply (const struct spec_capabilities *c, tr_error_t *err)
{
  cleanup_cap cap_t mine = cap_get_proc ();
  cleanup_cap cap_t caps = cap_init ();
  if (mine == NULL || caps == NULL)
    return tr_error (err, errno, "capabilities");
  if (set_flag (caps, mine, CAP_EFFECTIVE, &c->effective, err) < 0
      || set_flag (caps, mine, CAP_PERMITTED, &c->permitted, err) < 0
      || set_flag (caps, mine, CAP_INHERITABLE, &c->inheritable, err) < 0)
    return -1;
  if (cap_set_proc (caps) < 0)
    return tr_error (err, errno, "set process capabilities");
  /* Ambient capabilities must also be permitted and inheritable. */
  raise_ambient (&c->ambient);
  return 0;
}
