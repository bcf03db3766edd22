/* Translating a mount's "options" strings into mount(2) arguments.
 * Pure functions: unit-tested without root. */
#ifndef TINYRUN_MOUNT_FLAGS_H
#define TINYRUN_MOUNT_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct mount_options
{
  unsigned long flags;       /* MS_RDONLY, MS_NOSUID, MS_BIND, ... */
  unsigned long clear_flags; /* flags that an option turns off (rw, suid, dev, exec, ...) */
  unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE, maybe | MS_REC */
  bool recursive_attrs;      /* "rro", "rnosuid", ...: applied with mount_setattr(AT_RECURSIVE) */
  unsigned long rec_attr_set, rec_attr_clr; /* MOUNT_ATTR_* for the r* options */
  bool idmap;                /* "idmap": an idmapped mount (linux/idmap_mount.h) */
  bool ridmap;               /* "ridmap": the same, on every mount of an rbind tree */
  bool tmpcopyup;            /* tmpfs: start with the content of the covered directory */
  char data[4096];           /* everything else, comma-joined: passed as fs data */
};

/* Parse options; `type` is the spec mount's type (may be NULL), which
 * decides whether "bind"/"rbind" are implied.  Unknown options go to
 * data, as mount(8) does.  Errors name the option. */
int mount_options_parse (char *const *options, size_t n, struct mount_options *out, tr_error_t *err);

/* The per-mount flags of a mount as statvfs() reports them (f_flag's
 * ST_*), as MS_* flags for a bind remount that must keep them: read-only,
 * nosuid, nodev, noexec, the atime flags (noatime, nodiratime, relatime)
 * and nosymfollow.  The superblock flags that statvfs also reports (sync,
 * mandlock) are left out: a bind remount cannot change them.  In a user
 * namespace the kernel locks nosuid, nodev, noexec, read-only and the atime
 * flags of mounts inherited from the host and refuses a remount that would
 * change them. */
unsigned long mount_flags_from_statvfs (unsigned long f_flag);

/* The per-mount flags (MS_*) that `set` sets and `clear` clears, as a
 * mount_setattr() change (MOUNT_ATTR_*).  What neither names keeps its
 * value on the mount, so the flags a user namespace locks on a bind mount
 * stay as they are.  An atime option replaces the atime mode ("atime",
 * "norelatime" and "nostrictatime" mean relatime, the kernel's default). */
void mount_attr_from_flags (unsigned long set, unsigned long clear, uint64_t *attr_set, uint64_t *attr_clr);

/* The superblock flags among `flags` as the fsconfig() flag names that
 * set them ("ro", "sync", "dirsync", "lazytime", "mand", "silent"): fills
 * out with at most max names; returns how many there are. */
size_t mount_sb_flag_names (unsigned long flags, const char **out, size_t max);

/* The names of the options that mount_options_parse() recognises and the
 * mount code applies, in table order: out receives at most max of them;
 * returns how many there are.  (Anything else is passed on as fs data.) */
size_t mount_option_names (const char **out, size_t max);

/* Is `name` among mount_option_names()?  (features derives its
 * linux.mountExtensions from it.) */
bool mount_option_applied (const char *name);

/* The option names of the MS_* flags set in `flags` ("ro,nodev"), into
 * buf (truncated to size). */
void mount_flag_names (unsigned long flags, char *buf, size_t size);

/* Parse rootfsPropagation: "private", "rslave", ... → MS_* | MS_REC. */
int propagation_parse (const char *name, unsigned long *flags, tr_error_t *err);

#endif
