/* libFuzzer target: the state tinyrun-net reads on its stdin as a hook
 * (hook_state_decode). */
#include "config.h"
#include "oci-spec/hook_state.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  tr_error_t err = NULL;
  struct container_state st = { 0 };
  hook_state_decode ((const char *) data, size, &st, &err);
  tr_error_free (&err);
  container_state_clear (&st);
  return 0;
}
