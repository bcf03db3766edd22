/* Container ids and the state.json round trip. */
#include "unit.h"
#include "container/state.h"

#include <stdlib.h>

TEST (container_ids)
{
  tr_error_t err = NULL;
  CHECK (container_id_validate ("abc-DEF_1.2+3", &err) == 0);
  CHECK (container_id_validate ("../x", &err) < 0);
  CHECK_ERR (err, "invalid container id \"../x\"");
  CHECK (container_id_validate ("..", &err) < 0);
  CHECK (container_id_validate (".", &err) < 0);
  CHECK (container_id_validate ("", &err) < 0);
  CHECK (container_id_validate ("a/b", &err) < 0);
  CHECK (container_id_validate ("a b", &err) < 0);
  char long_id[1100];
  memset (long_id, 'a', sizeof long_id - 1);
  long_id[sizeof long_id - 1] = '\0';
  CHECK (container_id_validate (long_id, &err) < 0);
  tr_error_free (&err);
}

TEST (state_json_round_trip)
{
  struct spec_kv ann[] = { { "k", "v" } };
  struct container_state in = {
    .id = "c1", .pid = 1234, .start_time = 987654321ULL, .bundle = "/b", .rootfs = "/b/rootfs",
    .created = "2026-01-01T00:00:00.000000000Z", .owner = "", .annotations = { ann, 1 },
    .cgroup_path = "/tinyrun/c1", .pid_ns_shared = true,
  };
  tr_error_t err = NULL;
  size_t len;
  char *json = state_json_encode (&in, &len, &err);
  CHECK (json != NULL);
  struct container_state out = { 0 };
  CHECK (state_json_decode (json, len, &out, &err) == 0);
  CHECK_STR (out.id, "c1");
  CHECK (out.pid == 1234 && out.start_time == 987654321ULL && out.pid_ns_shared);
  CHECK_STR (out.cgroup_path, "/tinyrun/c1");
  CHECK (out.annotations.n == 1);
  CHECK_STR (out.annotations.v[0].value, "v");
  free (json);

  /* The OCI state: no pid once stopped. */
  json = state_json_oci (&in, "stopped", NULL, &err);
  CHECK (json && strstr (json, "\"pid\"") == NULL && strstr (json, "\"status\": \"stopped\""));
  free (json);
  json = state_json_oci (&in, "running", NULL, &err);
  CHECK (json && strstr (json, "\"pid\": 1234"));
  free (json);
  container_state_clear (&out);
  tr_error_free (&err);
}

TEST (state_json_rejects_garbage)
{
  struct container_state out = { 0 };
  tr_error_t err = NULL;
  CHECK (state_json_decode ("{\"id\": \"x\"}", 11, &out, &err) < 0);
  CHECK_ERR (err, "state.json: id and pid are required");
  container_state_clear (&out);
  tr_error_free (&err);
}

/* A creating record keeps what delete needs to undo a create that died;
 * a final record (and an older one without the fields) is not creating. */
TEST (state_json_creating_record)
{
  struct container_state in = {
    .id = "c2", .pid = 0, .bundle = "/b", .rootfs = "/b/rootfs", .owner = "",
    .cgroup_path = "/tinyrun/c2", .cgroup_top = "/tinyrun", .mount_ns_shared = true,
    .creating = true, .creator_pid = 77, .creator_start_time = 5555ULL, .create_hooks_run = true,
  };
  tr_error_t err = NULL;
  size_t len;
  char *json = state_json_encode (&in, &len, &err);
  CHECK (json != NULL);
  struct container_state out = { 0 };
  CHECK (state_json_decode (json, len, &out, &err) == 0);
  CHECK (out.creating && out.creator_pid == 77 && out.creator_start_time == 5555ULL && out.create_hooks_run);
  CHECK_STR (out.cgroup_top, "/tinyrun");
  CHECK (out.mount_ns_shared && out.pid == 0);
  free (json);
  container_state_clear (&out);
  in.creating = false;
  json = state_json_encode (&in, &len, &err);
  CHECK (json && strstr (json, "creatorPid") == NULL);
  CHECK (state_json_decode (json, len, &out, &err) == 0 && !out.creating);
  free (json);
  container_state_clear (&out);
  const char *old = "{\"id\": \"x\", \"pid\": 1}";
  CHECK (state_json_decode (old, strlen (old), &out, &err) == 0 && !out.creating);
  container_state_clear (&out);
  tr_error_free (&err);
}

/* delete reads the saved config.json for poststop hooks, and start for
 * poststart hooks, only when the record does not say there are none; an
 * older record without the fields has some (the config is read, as
 * before). */
TEST (state_json_poststop_hooks)
{
  struct container_state in = { .id = "c3", .pid = 1, .bundle = "/b", .rootfs = "/r", .owner = "",
                                .no_poststop_hooks = true };
  tr_error_t err = NULL;
  size_t len;
  char *json = state_json_encode (&in, &len, &err);
  CHECK (json && strstr (json, "\"poststopHooks\":false"));
  struct container_state out = { 0 };
  CHECK (state_json_decode (json, len, &out, &err) == 0 && out.no_poststop_hooks);
  free (json);
  container_state_clear (&out);
  in.no_poststop_hooks = false;
  in.no_poststart_hooks = true;
  json = state_json_encode (&in, &len, &err);
  CHECK (json && strstr (json, "\"poststartHooks\":false"));
  CHECK (state_json_decode (json, len, &out, &err) == 0 && !out.no_poststop_hooks && out.no_poststart_hooks);
  free (json);
  container_state_clear (&out);
  const char *old = "{\"id\": \"x\", \"pid\": 1}";
  CHECK (state_json_decode (old, strlen (old), &out, &err) == 0 && !out.no_poststop_hooks && !out.no_poststart_hooks);
  container_state_clear (&out);
  tr_error_free (&err);
}
