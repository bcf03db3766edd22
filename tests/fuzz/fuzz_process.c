/* libFuzzer target: the process document of `exec --process`. */
#include "config.h"
#include "oci-spec/spec.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *min = "{\"ociVersion\": \"1\"}";
  tr_error_t err = NULL;
  struct spec *s = spec_parse (min, strlen (min), &err);
  if (s == NULL)
    __builtin_trap ();
  spec_parse_process_json (s, (const char *) data, size, &err);
  tr_error_free (&err);
  spec_free (s);
  return 0;
}
