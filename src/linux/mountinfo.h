/* /proc/self/mountinfo, parsed once into an array of its lines:
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
 * (proc(5)).  Paths come unescaped (the kernel writes space, tab, newline
 * and backslash as \ooo). */
#ifndef TINYRUN_MOUNTINFO_H
#define TINYRUN_MOUNTINFO_H

#include <stddef.h>

#include "util/error.h"

#include <sys/types.h>

struct mountinfo_entry
{
  int id;
  int parent;
  dev_t dev;                 /* the mount's filesystem: "major:minor" */
  const char *root;          /* unescaped */
  const char *mountpoint;    /* unescaped */
  const char *options;       /* per-mount options: "rw,nosuid,relatime" */
  const char *fstype;
  const char *source;        /* unescaped */
  const char *super_options; /* superblock options: "rw,memory" */
};

/* The entries in the kernel's order (a parent before its children).  All
 * strings point into `text`, which the struct owns. */
struct mountinfo
{
  struct mountinfo_entry *v;
  size_t n;
  char *text;
};

/* Parse text (a malloc'ed copy of the file, taken over even on error);
 * lines that do not have the format are skipped. */
int mountinfo_parse (char *text, struct mountinfo *out, tr_error_t *err);

/* Read and parse /proc/self/mountinfo. */
int mountinfo_read (struct mountinfo *out, tr_error_t *err);

void mountinfo_free (struct mountinfo *m);

#define cleanup_mountinfo __attribute__ ((cleanup (mountinfo_free)))

#endif
