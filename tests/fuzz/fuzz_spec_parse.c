/* libFuzzer target: config.json, process.json and resources documents.
 * Any input must either parse or fail with an error; never crash, leak or
 * read out of bounds. */
#include "config.h"
#include "oci-spec/spec.h"
#include "oci-spec/state_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  tr_error_t err = NULL;
  struct spec *s = spec_parse ((const char *) data, size, &err);
  tr_error_free (&err);
  if (s == NULL)
    {
      const char *min = "{\"ociVersion\": \"1\"}";
      s = spec_parse (min, strlen (min), &err);
    }
  if (s)
    {
      spec_parse_process_json (s, (const char *) data, size, &err);
      tr_error_free (&err);
      spec_parse_resources_json (s, (const char *) data, size, &err);
      tr_error_free (&err);
      spec_free (s);
    }
  struct container_state st = { 0 };
  state_json_decode ((const char *) data, size, &st, &err);
  tr_error_free (&err);
  container_state_clear (&st);
  return 0;
}
