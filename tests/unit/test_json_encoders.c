/* The events and list encoders (fixed input gives runc's layout, field by
 * field) and the hook state reader. */
#include "unit.h"
#include "oci-spec/hook_state.h"
#include "oci-spec/list_json.h"
#include "oci-spec/stats_json.h"

#include <stdlib.h>

TEST (stats_json_event)
{
  cleanup_stats struct container_stats s = {
    .cpu_usage = { 1, 2, 3 },
    .throttling = { 4, 5, 6 },
    .has_memory = true,
    .memory = { 7, 8, 9, 10 },
    .swap = { 11, 0, 12, 0 },
    .pids_current = 13,
    .pids_limit = 100,
  };
  CHECK (container_stats_add_raw (&s, "cache", 14) == 0);
  CHECK (container_stats_add_raw (&s, "rss", 15) == 0);
  tr_error_t err = NULL;
  size_t len;
  char *json = stats_json_event ("stats", "c1", &s, &len, &err);
  CHECK_STR (json, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
                   "\"cpu\":{\"usage\":{\"total\":1,\"kernel\":2,\"user\":3},"
                   "\"throttling\":{\"periods\":4,\"throttled_periods\":5,\"throttled_time\":6}},"
                   "\"memory\":{\"usage\":{\"usage\":7,\"max_usage\":8,\"limit\":9,\"failcnt\":10},"
                   "\"swap\":{\"usage\":11,\"max_usage\":0,\"limit\":12,\"failcnt\":0},"
                   "\"raw\":{\"cache\":14,\"rss\":15}},"
                   "\"pids\":{\"current\":13,\"limit\":100},\"blkio\":{}}}");
  CHECK (json && len == strlen (json));
  free (json);
}

TEST (stats_json_without_memory_and_oom)
{
  struct container_stats s = { .pids_current = 1 };
  tr_error_t err = NULL;
  char *json = stats_json_event ("stats", "c1", &s, NULL, &err);
  CHECK (json && strstr (json, "\"memory\":{},\"pids\":{\"current\":1,\"limit\":0}"));
  free (json);
  json = stats_json_event ("oom", "c1", NULL, NULL, &err);
  CHECK_STR (json, "{\"type\":\"oom\",\"id\":\"c1\"}");
  free (json);
}

TEST (list_json_encode)
{
  struct container_state a = { .id = "a", .pid = 42, .bundle = "/b", .rootfs = "/b/rootfs", .created = "t" };
  struct container_state b = { .id = "b", .owner = "alice" };
  struct container_state c = { .id = "c" };
  struct list_entry e[] = { { &a, "running", 42, NULL }, { &b, "stopped", 0, NULL }, { &c, "unknown", 0, "damaged" } };
  tr_error_t err = NULL;
  char *json = list_json_encode (e, 3, NULL, &err);
  CHECK_STR (json, "[{\"ociVersion\":\"1.2.0\",\"id\":\"a\",\"pid\":42,\"status\":\"running\",\"bundle\":\"/b\","
                   "\"rootfs\":\"/b/rootfs\",\"created\":\"t\",\"owner\":\"root\"},"
                   "{\"ociVersion\":\"1.2.0\",\"id\":\"b\",\"pid\":0,\"status\":\"stopped\",\"bundle\":\"\","
                   "\"rootfs\":\"\",\"created\":\"\",\"owner\":\"alice\"},"
                   "{\"ociVersion\":\"1.2.0\",\"id\":\"c\",\"pid\":0,\"status\":\"unknown\",\"bundle\":\"\","
                   "\"rootfs\":\"\",\"created\":\"\",\"owner\":\"root\",\"reason\":\"damaged\"}]");
  free (json);
  json = list_json_encode (NULL, 0, NULL, &err);
  CHECK_STR (json, "[]");
  free (json);
}

TEST (hook_state_decode)
{
  const char *running = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"running\",\"pid\":42,"
                        "\"bundle\":\"/b\",\"annotations\":{\"k\":\"v\"}}";
  struct container_state st = { 0 };
  tr_error_t err = NULL;
  CHECK (hook_state_decode (running, strlen (running), &st, &err) == 0);
  CHECK_STR (st.id, "c1");
  CHECK_STR (st.bundle, "/b");
  CHECK (st.pid == 42 && st.annotations.n == 1);
  container_state_clear (&st);
  /* poststop: the state of a stopped container has no pid. */
  const char *stopped = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"stopped\",\"bundle\":\"/b\"}";
  CHECK (hook_state_decode (stopped, strlen (stopped), &st, &err) == 0);
  CHECK (st.pid == 0);
  container_state_clear (&st);
  CHECK (hook_state_decode ("{\"pid\":1}", 9, &st, &err) < 0);
  CHECK_ERR (err, "container state: no id");
  container_state_clear (&st);
  CHECK (hook_state_decode ("{", 1, &st, &err) < 0);
  CHECK_ERR (err, "container state");
  container_state_clear (&st);
  tr_error_free (&err);
}
