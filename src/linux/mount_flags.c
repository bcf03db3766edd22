#include "config.h"
#include "linux/mount_flags.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

/* MOUNT_ATTR_* from <linux/mount.h>, which clashes with <sys/mount.h>. */
#define ATTR_RDONLY 0x00000001
#define ATTR_NOSUID 0x00000002
#define ATTR_NODEV 0x00000004
#define ATTR_NOEXEC 0x00000008
#define ATTR_RELATIME 0x00000000
#define ATTR_NOATIME 0x00000010
#define ATTR_STRICTATIME 0x00000020
#define ATTR_NODIRATIME 0x00000080
#define ATTR_NOSYMFOLLOW 0x00200000

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

static const struct
{
  unsigned long st;
  unsigned long ms;
} statvfs_flags[] = {
  { ST_RDONLY, MS_RDONLY },         { ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },
  { ST_NOEXEC, MS_NOEXEC },         { ST_NOATIME, MS_NOATIME },       { ST_NODIRATIME, MS_NODIRATIME },
  { ST_RELATIME, MS_RELATIME },     { ST_NOSYMFOLLOW, MS_NOSYMFOLLOW },
};

unsigned long
mount_flags_from_statvfs (unsigned long f_flag)
{
  unsigned long out = 0;
  for (size_t i = 0; i < sizeof statvfs_flags / sizeof statvfs_flags[0]; i++)
    if (f_flag & statvfs_flags[i].st)
      out |= statvfs_flags[i].ms;
  return out;
}

static const struct
{
  unsigned long ms;
  uint64_t attr;
} attr_flags[] = {
  { MS_RDONLY, ATTR_RDONLY },         { MS_NOSUID, ATTR_NOSUID },         { MS_NODEV, ATTR_NODEV },
  { MS_NOEXEC, ATTR_NOEXEC },         { MS_NODIRATIME, ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, ATTR_NOSYMFOLLOW },
};

#define ATTR_ATIME_MASK 0x00000070

void
mount_attr_from_flags (unsigned long set, unsigned long clear, uint64_t *attr_set, uint64_t *attr_clr)
{
  *attr_set = *attr_clr = 0;
  for (size_t i = 0; i < sizeof attr_flags / sizeof attr_flags[0]; i++)
    {
      if (set & attr_flags[i].ms)
        *attr_set |= attr_flags[i].attr;
      else if (clear & attr_flags[i].ms)
        *attr_clr |= attr_flags[i].attr;
    }
  /* The atime mode is one field: naming any mode replaces it. */
  if (set & MS_NOATIME)
    *attr_set |= ATTR_NOATIME;
  else if (set & MS_STRICTATIME)
    *attr_set |= ATTR_STRICTATIME;
  else if (!(set & MS_RELATIME) && !(clear & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)))
    return;
  *attr_clr |= ATTR_ATIME_MASK;
}

static const struct
{
  unsigned long ms;
  const char *name;
} sb_flags[] = {
  { MS_RDONLY, "ro" },      { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
  { MS_LAZYTIME, "lazytime" }, { MS_MANDLOCK, "mand" }, { MS_SILENT, "silent" },
};

size_t
mount_sb_flag_names (unsigned long flags, const char **out, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; i < sizeof sb_flags / sizeof sb_flags[0]; i++)
    if (flags & sb_flags[i].ms)
      {
        if (n < max)
          out[n] = sb_flags[i].name;
        n++;
      }
  return n;
}

static const struct
{
  const char *name;
  unsigned long set;
  unsigned long clear;
} flag_options[] = {
  { "defaults", 0, 0 },
  { "ro", MS_RDONLY, 0 },
  { "rw", 0, MS_RDONLY },
  { "nosuid", MS_NOSUID, 0 },
  { "suid", 0, MS_NOSUID },
  { "nodev", MS_NODEV, 0 },
  { "dev", 0, MS_NODEV },
  { "noexec", MS_NOEXEC, 0 },
  { "exec", 0, MS_NOEXEC },
  { "sync", MS_SYNCHRONOUS, 0 },
  { "async", 0, MS_SYNCHRONOUS },
  { "dirsync", MS_DIRSYNC, 0 },
  { "remount", MS_REMOUNT, 0 },
  { "mand", MS_MANDLOCK, 0 },
  { "nomand", 0, MS_MANDLOCK },
  { "atime", 0, MS_NOATIME },
  { "noatime", MS_NOATIME, 0 },
  { "diratime", 0, MS_NODIRATIME },
  { "nodiratime", MS_NODIRATIME, 0 },
  { "relatime", MS_RELATIME, 0 },
  { "norelatime", 0, MS_RELATIME },
  { "strictatime", MS_STRICTATIME, 0 },
  { "nostrictatime", 0, MS_STRICTATIME },
  { "lazytime", MS_LAZYTIME, 0 },
  { "nolazytime", 0, MS_LAZYTIME },
  { "silent", MS_SILENT, 0 },
  { "loud", 0, MS_SILENT },
  { "symfollow", 0, MS_NOSYMFOLLOW },
  { "nosymfollow", MS_NOSYMFOLLOW, 0 },
  { "bind", MS_BIND, 0 },
  { "rbind", MS_BIND | MS_REC, 0 },
};

static const struct
{
  const char *name;
  unsigned long flags;
} propagation_options[] = {
  { "private", MS_PRIVATE },
  { "rprivate", MS_PRIVATE | MS_REC },
  { "shared", MS_SHARED },
  { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },
  { "rslave", MS_SLAVE | MS_REC },
  { "unbindable", MS_UNBINDABLE },
  { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* The recursive read-only & co. options of runc/crun ("rro", "rnosuid"),
 * applied to every mount of an rbind tree with mount_setattr(). */
static const struct
{
  const char *name;
  unsigned long set;
  unsigned long clear;
} recursive_options[] = {
  { "rro", ATTR_RDONLY, 0 },
  { "rrw", 0, ATTR_RDONLY },
  { "rnosuid", ATTR_NOSUID, 0 },
  { "rsuid", 0, ATTR_NOSUID },
  { "rnodev", ATTR_NODEV, 0 },
  { "rdev", 0, ATTR_NODEV },
  { "rnoexec", ATTR_NOEXEC, 0 },
  { "rexec", 0, ATTR_NOEXEC },
  { "rnoatime", ATTR_NOATIME, 0 },
  { "rstrictatime", ATTR_STRICTATIME, 0 },
  { "rnodiratime", ATTR_NODIRATIME, 0 },
  { "rrelatime", ATTR_RELATIME, 0 },
  { "rnosymfollow", ATTR_NOSYMFOLLOW, 0 },
  { "rsymfollow", 0, ATTR_NOSYMFOLLOW },
};

/* Options that are no mount flag: they set a field of struct mount_options
 * for mounts.c.  "applied" says whether mounts.c acts on it. */
static const struct
{
  const char *name;
  size_t field; /* offset of a bool in struct mount_options */
  bool value;
  bool applied;
} field_options[] = {
  { "tmpcopyup", offsetof (struct mount_options, tmpcopyup), true, true },
  { "notmpcopyup", offsetof (struct mount_options, tmpcopyup), false, true },
  /* Idmapped mounts (linux/idmap_mount.c); features reports
   * linux.mountExtensions.idmap from these two entries. */
  { "idmap", offsetof (struct mount_options, idmap), true, true },
  { "ridmap", offsetof (struct mount_options, ridmap), true, true },
};

#define N_ELEMENTS(a) (sizeof (a) / sizeof (a)[0])

static void
add_name (const char **out, size_t max, size_t *n, const char *name)
{
  if (*n < max)
    out[*n] = name;
  (*n)++;
}

size_t
mount_option_names (const char **out, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; i < N_ELEMENTS (flag_options); i++)
    add_name (out, max, &n, flag_options[i].name);
  for (size_t i = 0; i < N_ELEMENTS (propagation_options); i++)
    add_name (out, max, &n, propagation_options[i].name);
  for (size_t i = 0; i < N_ELEMENTS (recursive_options); i++)
    add_name (out, max, &n, recursive_options[i].name);
  for (size_t i = 0; i < N_ELEMENTS (field_options); i++)
    if (field_options[i].applied)
      add_name (out, max, &n, field_options[i].name);
  return n;
}

bool
mount_option_applied (const char *name)
{
  const char *names[256];
  size_t n = mount_option_names (names, N_ELEMENTS (names));
  for (size_t i = 0; i < n && i < N_ELEMENTS (names); i++)
    if (strcmp (names[i], name) == 0)
      return true;
  return false;
}

void
mount_flag_names (unsigned long flags, char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < N_ELEMENTS (flag_options) && used < size; i++)
    if (flag_options[i].set && (flags & flag_options[i].set) == flag_options[i].set)
      used += (size_t) snprintf (buf + used, size - used, "%s%s", used ? "," : "", flag_options[i].name);
}

int
propagation_parse (const char *name, unsigned long *flags, tr_error_t *err)
{
  for (size_t i = 0; i < sizeof propagation_options / sizeof propagation_options[0]; i++)
    if (strcmp (name, propagation_options[i].name) == 0)
      {
        *flags = propagation_options[i].flags;
        return 0;
      }
  return tr_error_plain (err, EINVAL, "unknown propagation \"%s\"", name);
}

static int
append_data (struct mount_options *out, const char *opt, tr_error_t *err)
{
  size_t used = strlen (out->data);
  int n = snprintf (out->data + used, sizeof out->data - used, "%s%s", used ? "," : "", opt);
  if (n < 0 || (size_t) n >= sizeof out->data - used)
    return tr_error_plain (err, E2BIG, "mount option data too long at \"%s\"", opt);
  return 0;
}

static bool
parse_table_option (const char *opt, struct mount_options *out)
{
  for (size_t i = 0; i < sizeof flag_options / sizeof flag_options[0]; i++)
    if (strcmp (opt, flag_options[i].name) == 0)
      {
        out->flags = (out->flags & ~flag_options[i].clear) | flag_options[i].set;
        out->clear_flags = (out->clear_flags & ~flag_options[i].set) | flag_options[i].clear;
        return true;
      }
  for (size_t i = 0; i < sizeof propagation_options / sizeof propagation_options[0]; i++)
    if (strcmp (opt, propagation_options[i].name) == 0)
      {
        out->propagation = propagation_options[i].flags;
        return true;
      }
  for (size_t i = 0; i < sizeof recursive_options / sizeof recursive_options[0]; i++)
    if (strcmp (opt, recursive_options[i].name) == 0)
      {
        out->recursive_attrs = true;
        out->rec_attr_set = (out->rec_attr_set & ~recursive_options[i].clear) | recursive_options[i].set;
        out->rec_attr_clr = (out->rec_attr_clr & ~recursive_options[i].set) | recursive_options[i].clear;
        return true;
      }
  for (size_t i = 0; i < N_ELEMENTS (field_options); i++)
    if (strcmp (opt, field_options[i].name) == 0)
      {
        *(bool *) ((char *) out + field_options[i].field) = field_options[i].value;
        return true;
      }
  return false;
}

int
mount_options_parse (char *const *options, size_t n, struct mount_options *out, tr_error_t *err)
{
  memset (out, 0, sizeof *out);
  for (size_t i = 0; i < n; i++)
    {
      const char *opt = options[i];
      if (opt[0] == '\0')
        continue;
      if (parse_table_option (opt, out))
        continue;
      /* Not a flag: filesystem-specific data ("size=64k", "mode=755"). */
      if (append_data (out, opt, err) < 0)
        return -1;
    }
  return 0;
}
