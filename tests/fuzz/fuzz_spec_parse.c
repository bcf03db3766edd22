/* libFuzzer target: config.json (spec_parse).  Any input must either parse
 * or fail with an error; never crash, leak or read out of bounds. */
#include "config.h"
#include "oci-spec/spec.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  tr_error_t err = NULL;
  struct spec *s = spec_parse ((const char *) data, size, &err);
  tr_error_free (&err);
  spec_free (s);
  return 0;
}
