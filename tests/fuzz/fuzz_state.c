/* libFuzzer target: a container's state.json (state_json_decode), which
 * `list` reads for every container of the root. */
#include "config.h"
#include "oci-spec/state_json.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  tr_error_t err = NULL;
  struct container_state st = { 0 };
  state_json_decode ((const char *) data, size, &st, &err);
  tr_error_free (&err);
  container_state_clear (&st);
  return 0;
}
