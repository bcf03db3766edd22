#include "config.h"
#include "linux/mountinfo.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void
unescape_octal (char *s)
{
  char *out = s;
  for (char *in = s; *in; in++)
    {
      if (in[0] == '\\' && in[1] >= '0' && in[1] <= '7' && in[2] >= '0' && in[2] <= '7' && in[3] >= '0'
          && in[3] <= '7')
        {
          *out++ = (char) ((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
          in += 3;
        }
      else
        *out++ = *in;
    }
  *out = '\0';
}

/* The next space-separated field of the line, NUL-terminated in place. */
static char *
next_field (char **cursor)
{
  char *s = *cursor;
  if (*s == '\0')
    return NULL;
  char *sp = strchr (s, ' ');
  if (sp)
    {
      *sp = '\0';
      *cursor = sp + 1;
    }
  else
    *cursor = s + strlen (s);
  return s;
}

static bool
parse_line (char *line, struct mountinfo_entry *e)
{
  char *c = line;
  char *id = next_field (&c), *parent = next_field (&c), *dev = next_field (&c);
  char *root = dev ? next_field (&c) : NULL;
  char *mountpoint = root ? next_field (&c) : NULL;
  char *options = mountpoint ? next_field (&c) : NULL;
  if (options == NULL)
    return false;
  char *f;
  /* Optional fields ("shared:1", "master:2") end at a lone "-". */
  while ((f = next_field (&c)) != NULL && strcmp (f, "-") != 0)
    ;
  char *fstype = f ? next_field (&c) : NULL;
  char *source = fstype ? next_field (&c) : NULL;
  char *super = source ? next_field (&c) : NULL;
  unsigned maj, min;
  if (super == NULL || sscanf (dev, "%u:%u", &maj, &min) != 2)
    return false;
  unescape_octal (root);
  unescape_octal (mountpoint);
  unescape_octal (source);
  *e = (struct mountinfo_entry){ .id = atoi (id), .parent = atoi (parent), .dev = makedev (maj, min), .root = root,
                                 .mountpoint = mountpoint, .options = options, .fstype = fstype,
                                 .source = source, .super_options = super };
  return true;
}

int
mountinfo_parse (char *text, struct mountinfo *out, tr_error_t *err)
{
  *out = (struct mountinfo){ .text = text };
  size_t lines = 1;
  for (const char *p = text; *p; p++)
    lines += *p == '\n';
  out->v = calloc (lines, sizeof *out->v);
  if (out->v == NULL)
    return tr_error (err, ENOMEM, "parse /proc/self/mountinfo");
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (parse_line (line, &out->v[out->n]))
      out->n++;
  return 0;
}

int
mountinfo_read (struct mountinfo *out, tr_error_t *err)
{
  *out = (struct mountinfo){ 0 };
  char *text = read_file_at (AT_FDCWD, "/proc/self/mountinfo", NULL, err);
  if (text == NULL)
    return -1;
  return mountinfo_parse (text, out, err);
}

void
mountinfo_free (struct mountinfo *m)
{
  free (m->v);
  free (m->text);
  *m = (struct mountinfo){ 0 };
}
