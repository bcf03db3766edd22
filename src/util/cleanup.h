/* Scope-bound cleanup: a variable declared `cleanup_free char *p = NULL;` is
 * freed when it goes out of scope, so every early return is safe.  Hand
 * ownership on with steal_ptr(&p) / steal_fd(&fd); what was stolen is not
 * released. */
#ifndef TINYRUN_CLEANUP_H
#define TINYRUN_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/error.h"

static inline void
cleanup_freep (void *p)
{
  void **pp = (void **) p;
  free (*pp);
}

static inline void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

static inline void
cleanup_dirp (DIR **d)
{
  if (*d != NULL)
    closedir (*d);
}

static inline void
cleanup_filep (FILE **f)
{
  if (*f != NULL)
    fclose (*f);
}

static inline void
cleanup_errorp (tr_error_t *e)
{
  tr_error_free (e);
}

/* Free a NULL-terminated array of strings and the strings themselves. */
static inline void
cleanup_strvp (char ***v)
{
  if (*v == NULL)
    return;
  for (char **s = *v; *s; s++)
    free (*s);
  free (*v);
}

#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_dir __attribute__ ((cleanup (cleanup_dirp)))
#define cleanup_file __attribute__ ((cleanup (cleanup_filep)))
#define cleanup_error __attribute__ ((cleanup (cleanup_errorp)))
#define cleanup_strv __attribute__ ((cleanup (cleanup_strvp)))

static inline int
steal_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

#define steal_ptr(pp)                     \
  ({                                      \
    __typeof__ (*(pp)) steal_tmp_ = *(pp); \
    *(pp) = NULL;                         \
    steal_tmp_;                           \
  })

#endif
