/* The seccomp listener's message: the process state around the container state. */
#include "unit.h"
#include "oci-spec/seccomp_state_json.h"

#include <stdlib.h>

TEST (seccomp_state_json_message)
{
  tr_error_t err = NULL;
  size_t len = 0;
  char *msg = seccomp_state_json (42, "meta \"x\"", "{\"id\":\"c1\"}", &len, &err);
  CHECK (msg != NULL);
  if (msg)
    {
      CHECK_STR (msg, "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":42,\"metadata\":\"meta \\\"x\\\"\","
                      "\"state\":{\"id\":\"c1\"}}");
      CHECK (len == strlen (msg));
    }
  free (msg);
  msg = seccomp_state_json (1, NULL, "{}", &len, &err);
  CHECK (msg != NULL && strstr (msg, "\"metadata\":\"\"") != NULL);
  free (msg);
  tr_error_free (&err);
}
