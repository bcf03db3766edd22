/* Mount option strings → mount(2) flags and data. */
#include "unit.h"
#include "linux/idmap_mount.h"
#include "linux/mount_flags.h"

#include <sys/mount.h>
#include <sys/statvfs.h>

static struct mount_options
parse (char **opts, size_t n)
{
  struct mount_options mo;
  tr_error_t err = NULL;
  mount_options_parse (opts, n, &mo, &err);
  tr_error_free (&err);
  return mo;
}

TEST (mount_flags_basic)
{
  char *opts[] = { "nosuid", "noexec", "nodev", "ro", "mode=755", "size=65536k" };
  struct mount_options mo = parse (opts, 6);
  CHECK (mo.flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
  CHECK_STR (mo.data, "mode=755,size=65536k");
  CHECK (mo.propagation == 0);
}

TEST (mount_flags_later_option_wins)
{
  char *opts[] = { "ro", "rw", "nosuid", "suid" };
  struct mount_options mo = parse (opts, 4);
  CHECK ((mo.flags & (MS_RDONLY | MS_NOSUID)) == 0);
  CHECK ((mo.clear_flags & (MS_RDONLY | MS_NOSUID)) == (MS_RDONLY | MS_NOSUID));
}

TEST (mount_flags_bind_and_propagation)
{
  char *opts[] = { "rbind", "rprivate" };
  struct mount_options mo = parse (opts, 2);
  CHECK (mo.flags == (MS_BIND | MS_REC));
  CHECK (mo.propagation == (MS_PRIVATE | MS_REC));
  char *opts2[] = { "bind", "shared" };
  mo = parse (opts2, 2);
  CHECK (mo.flags == MS_BIND && mo.propagation == MS_SHARED);
}

TEST (mount_flags_recursive_attrs)
{
  char *opts[] = { "rbind", "rro", "rnosuid" };
  struct mount_options mo = parse (opts, 3);
  CHECK (mo.recursive_attrs);
  CHECK (mo.rec_attr_set == (0x1 | 0x2));
  CHECK (mo.data[0] == '\0');
}

TEST (propagation_names)
{
  unsigned long f;
  tr_error_t err = NULL;
  CHECK (propagation_parse ("rslave", &f, &err) == 0 && f == (MS_SLAVE | MS_REC));
  CHECK (propagation_parse ("unbindable", &f, &err) == 0 && f == MS_UNBINDABLE);
  CHECK (propagation_parse ("sideways", &f, &err) < 0);
  CHECK_ERR (err, "unknown propagation \"sideways\"");
  tr_error_free (&err);
}

/* The flags a bind remount keeps from statvfs(): the per-mount ones,
 * atime flags included; never the superblock-only sync/mandlock. */
TEST (mount_flags_from_statvfs)
{
  CHECK (mount_flags_from_statvfs (0) == 0);
  CHECK (mount_flags_from_statvfs (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC)
         == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
  CHECK (mount_flags_from_statvfs (ST_NOATIME | ST_NODIRATIME) == (MS_NOATIME | MS_NODIRATIME));
  CHECK (mount_flags_from_statvfs (ST_RELATIME | ST_NOSUID) == (MS_RELATIME | MS_NOSUID));
  CHECK (mount_flags_from_statvfs (0x2000 /* ST_NOSYMFOLLOW */) == 256 /* MS_NOSYMFOLLOW */);
  CHECK (mount_flags_from_statvfs (ST_SYNCHRONOUS | ST_MANDLOCK) == 0);
}

/* MS_* options → a mount_setattr() change: only what is named changes, so
 * the locked flags of a user namespace are never cleared by accident. */
TEST (mount_attr_from_flags)
{
  uint64_t set, clr;
  mount_attr_from_flags (0, 0, &set, &clr);
  CHECK (set == 0 && clr == 0);
  mount_attr_from_flags (MS_RDONLY | MS_NOSUID, 0, &set, &clr);
  CHECK (set == (0x1 | 0x2) && clr == 0);
  mount_attr_from_flags (0, MS_RDONLY | MS_NODEV, &set, &clr);
  CHECK (set == 0 && clr == (0x1 | 0x4));
  /* The atime mode is one field: setting one clears the field first. */
  mount_attr_from_flags (MS_NOATIME, 0, &set, &clr);
  CHECK (set == 0x10 && clr == 0x70);
  mount_attr_from_flags (MS_STRICTATIME, 0, &set, &clr);
  CHECK (set == 0x20 && clr == 0x70);
  mount_attr_from_flags (0, MS_NOATIME, &set, &clr);
  CHECK (set == 0 && clr == 0x70); /* "atime": back to relatime */
  mount_attr_from_flags (MS_SYNCHRONOUS | MS_DIRSYNC, 0, &set, &clr);
  CHECK (set == 0 && clr == 0);
}

TEST (mount_sb_flag_names)
{
  const char *names[8];
  CHECK (mount_sb_flag_names (MS_NOSUID | MS_NODEV, names, 8) == 0);
  size_t n = mount_sb_flag_names (MS_RDONLY | MS_SYNCHRONOUS | MS_NOSUID, names, 8);
  CHECK (n == 2 && strcmp (names[0], "ro") == 0 && strcmp (names[1], "sync") == 0);
}

/* The names in "cannot clear locked flags ro,nodev". */
TEST (mount_flag_names)
{
  char buf[64];
  mount_flag_names (0, buf, sizeof buf);
  CHECK (buf[0] == '\0');
  mount_flag_names (MS_RDONLY | MS_NODEV, buf, sizeof buf);
  CHECK (strcmp (buf, "ro,nodev") == 0);
  mount_flag_names (MS_NOSUID | MS_RELATIME, buf, 8);
  CHECK (strcmp (buf, "nosuid,") == 0); /* truncated, still terminated */
}

/* "idmap" and "ridmap" are no fs data; mappings alone also ask for an
 * idmapped mount (runc). */
TEST (mount_flags_idmap)
{
  char *opts[] = { "rbind", "ridmap" };
  struct mount_options mo = parse (opts, 2);
  CHECK (mo.ridmap && !mo.idmap && mo.data[0] == '\0');
  char *opts2[] = { "bind", "idmap" };
  mo = parse (opts2, 2);
  CHECK (mo.idmap && !mo.ridmap && mo.data[0] == '\0');
  struct spec_id_mapping map = { .container_id = 0, .host_id = 100000, .size = 1 };
  struct spec_mount m = { .destination = "/d" };
  char *plain[] = { "bind" };
  mo = parse (plain, 1);
  CHECK (!idmap_mount_wanted (&m, &mo));
  m.uid_mappings = (idmaplist) { .v = &map, .n = 1 };
  CHECK (idmap_mount_wanted (&m, &mo));
}
