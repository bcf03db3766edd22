/* Placeholder until the seccomp driver lands (issue: process security). */
#include "config.h"
#include "seccomp.h"

#include <errno.h>

int
seccomp_validate (const struct spec_seccomp *s, tr_error_t *err)
{
  (void) s;
  return tr_error_plain (err, ENOTSUP, "linux.seccomp: not supported yet");
}

int
seccomp_prepare (const struct spec_seccomp *s, struct seccomp_program **out, tr_error_t *err)
{
  *out = NULL;
  return seccomp_validate (s, err);
}

int
seccomp_load (struct seccomp_program *prog, int *notify_fd, tr_error_t *err)
{
  (void) prog;
  (void) err;
  *notify_fd = -1;
  return 0;
}
