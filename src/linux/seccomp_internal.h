/* What seccomp.c and seccomp_cache.c share: the program itself. */
#ifndef TINYRUN_SECCOMP_INTERNAL_H
#define TINYRUN_SECCOMP_INTERNAL_H

#include <linux/filter.h>

#include "linux/seccomp.h"

struct seccomp_program
{
  struct sock_filter *insns;
  unsigned short len;
  unsigned flags; /* SECCOMP_FILTER_FLAG_* */
};

/* The filter flags that s asks for (and NEW_LISTENER with SCMP_ACT_NOTIFY). */
unsigned seccomp_program_flags (const struct spec_seccomp *s);
void seccomp_program_free (struct seccomp_program *p);

/* The program seccomp_preload() made for s, now the caller's; else NULL. */
struct seccomp_program *seccomp_cache_take (const struct spec_seccomp *s);

#endif
