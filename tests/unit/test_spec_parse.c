/* config.json parsing: valid documents, and errors that name the field. */
#include "unit.h"
#include "oci-spec/hook_state.h"
#include "oci-spec/json_scan.h"
#include "oci-spec/spec.h"
#include "oci-spec/state_json.h"

#include <stdlib.h>
#include <string.h>

static struct spec *
parse (const char *json, tr_error_t *err)
{
  return spec_parse (json, strlen (json), err);
}

/* Parse a document that must fail and return its error message check. */
#define EXPECT_ERROR(json, needle)             \
  do                                           \
    {                                          \
      tr_error_t e_ = NULL;                    \
      struct spec *s_ = parse (json, &e_);     \
      CHECK (s_ == NULL);                      \
      CHECK_ERR (e_, needle);                  \
      spec_free (s_);                          \
      tr_error_free (&e_);                     \
    }                                          \
  while (0)

#define MINIMAL "\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}"

TEST (parse_minimal)
{
  tr_error_t err = NULL;
  struct spec *s = parse ("{" MINIMAL "}", &err);
  CHECK (s != NULL);
  if (s)
    {
      CHECK_STR (s->oci_version, "1.2.0");
      CHECK_STR (s->root->path, "rootfs");
      CHECK (!s->root->readonly);
      CHECK (s->process == NULL);
      CHECK (s->linux_ == NULL);
    }
  spec_free (s);
  tr_error_free (&err);
}

TEST (parse_full_process)
{
  const char *json = "{" MINIMAL ", \"process\": {\"terminal\": true, \"consoleSize\": {\"height\": 24, \"width\": 80},"
                     "\"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [5, 6]},"
                     "\"args\": [\"sh\", \"-c\", \"true\"], \"env\": [\"A=1\"], \"cwd\": \"/tmp\","
                     "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 512}],"
                     "\"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"ambient\": []},"
                     "\"noNewPrivileges\": true, \"oomScoreAdj\": 100}}";
  tr_error_t err = NULL;
  struct spec *s = parse (json, &err);
  CHECK (s != NULL);
  if (s)
    {
      struct spec_process *p = s->process;
      CHECK (p->terminal.set && p->terminal.v);
      CHECK (p->has_console_size && p->console_height == 24 && p->console_width == 80);
      CHECK (p->user.uid == 1000 && p->user.gid == 100);
      CHECK (p->user.umask.set && p->user.umask.v == 18);
      CHECK (p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 6);
      CHECK (p->args.n == 3 && p->args.v[3] == NULL);
      CHECK_STR (p->args.v[2], "true");
      CHECK_STR (p->cwd, "/tmp");
      CHECK (p->n_rlimits == 1 && p->rlimits[0].hard == 1024 && p->rlimits[0].soft == 512);
      CHECK (p->capabilities && p->capabilities->bounding.n == 1);
      /* present-but-empty is not absent */
      CHECK (p->capabilities->ambient.v != NULL && p->capabilities->ambient.n == 0);
      CHECK (p->capabilities->effective.v == NULL);
      CHECK (p->no_new_privileges.set && p->no_new_privileges.v);
      CHECK (p->oom_score_adj.set && p->oom_score_adj.v == 100);
    }
  spec_free (s);
  tr_error_free (&err);
}

TEST (parse_linux_sections)
{
  const char *json
      = "{" MINIMAL ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\", \"path\": "
        "\"/proc/1/ns/net\"}],"
        "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}],"
        "\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}, \"maskedPaths\": [\"/proc/kcore\"],"
        "\"resources\": {\"memory\": {\"limit\": 9223372036854775807, \"swap\": -1},"
        "  \"pids\": {\"limit\": 10}, \"devices\": [{\"allow\": false, \"access\": \"rwm\"}],"
        "  \"cpu\": {\"shares\": 1024, \"cpus\": \"0-1\"}, \"unified\": {\"memory.high\": \"max\"}},"
        "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"getcwd\"],"
        "  \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 18446744073709551615, "
        "\"op\": \"SCMP_CMP_EQ\"}]}]},"
        "\"timeOffsets\": {\"monotonic\": {\"secs\": -5, \"nanosecs\": 7}}}}";
  tr_error_t err = NULL;
  struct spec *s = parse (json, &err);
  CHECK (s != NULL);
  if (err)
    fprintf (stderr, "  %s\n", err->msg);
  if (s)
    {
      struct spec_linux *l = s->linux_;
      CHECK (l->n_namespaces == 2 && l->namespaces[0].type == NS_PID && l->namespaces[0].path == NULL);
      CHECK_STR (l->namespaces[1].path, "/proc/1/ns/net");
      CHECK (l->uid_mappings.n == 1 && l->uid_mappings.v[0].host_id == 1000);
      CHECK (l->sysctl.n == 1);
      CHECK_STR (l->sysctl.v[0].value, "1");
      CHECK (l->resources->memory->limit.v == 9223372036854775807LL);
      CHECK (l->resources->memory->swap.v == -1);
      CHECK (l->resources->pids_limit.set && l->resources->pids_limit.v == 10);
      CHECK (l->resources->n_devices == 1 && !l->resources->devices[0].allow);
      CHECK (l->resources->devices[0].type == NULL && !l->resources->devices[0].major.set);
      CHECK_STR (l->resources->cpu->cpus, "0-1");
      CHECK (l->resources->unified.n == 1);
      CHECK (l->seccomp->syscalls[0].args[0].value == 18446744073709551615ULL);
      CHECK (l->time_monotonic.set && l->time_monotonic.secs == -5 && l->time_monotonic.nanosecs == 7);
      CHECK (spec_find_namespace (s, NS_NETWORK) == &l->namespaces[1]);
      CHECK (spec_find_namespace (s, NS_USER) == NULL);
    }
  spec_free (s);
  tr_error_free (&err);
}

TEST (unknown_properties_are_ignored)
{
  tr_error_t err = NULL;
  struct spec *s = parse ("{" MINIMAL ", \"org.example\": {\"x\": [1, 2]}, \"process\": {\"args\": [\"a\"],"
                          "\"cwd\": \"/\", \"futureField\": true}}",
                          &err);
  CHECK (s != NULL);
  spec_free (s);
  tr_error_free (&err);
}

TEST (errors_name_the_json_path)
{
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"resources\": {\"memory\": {\"limit\": \"a lot\"}}}}",
                "linux.resources.memory.limit: expected an integer, got \"a lot\"");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"bogus\"}]}}",
                "linux.namespaces[1].type: unknown namespace type \"bogus\"");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
                "linux.namespaces[1].type: duplicate namespace \"pid\"");
  EXPECT_ERROR ("{" MINIMAL ", \"process\": {\"args\": [\"a\", 3], \"cwd\": \"/\"}}",
                "process.args[1]: expected a string, got 3");
  EXPECT_ERROR ("{" MINIMAL ", \"process\": {\"args\": [\"a\"], \"cwd\": \"relative\"}}",
                "process.cwd: must be an absolute path");
  EXPECT_ERROR ("{" MINIMAL ", \"process\": {\"args\": [], \"cwd\": \"/\"}}", "process.args: must name");
  EXPECT_ERROR ("{" MINIMAL ", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", \"rlimits\": [{\"type\": "
                "\"RLIMIT_BOGUS\"}]}}",
                "process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"");
  EXPECT_ERROR ("{" MINIMAL ", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", \"user\": {\"uid\": -1}}}",
                "process.user.uid: expected a non-negative integer, got -1");
  EXPECT_ERROR ("{" MINIMAL ", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", \"user\": {\"uid\": 4294967296}}}",
                "process.user.uid: 4294967296 is out of range");
  EXPECT_ERROR ("{" MINIMAL ", \"mounts\": [{\"destination\": \"/a\"}, {\"type\": \"tmpfs\"}]}",
                "mounts[1].destination: required");
  EXPECT_ERROR ("{" MINIMAL ", \"mounts\": [{\"destination\": \"/a\", \"options\": \"ro\"}]}",
                "mounts[0].options: expected an array, got \"ro\"");
  EXPECT_ERROR ("{" MINIMAL ", \"hooks\": {\"prestart\": [{\"path\": \"rel\"}]}}",
                "hooks.prestart[0].path: must be an absolute path");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                "[{\"names\": [], \"action\": \"SCMP_ACT_ERRNO\"}]}}}",
                "linux.seccomp.syscalls[0].names: must list at least one syscall");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}}}",
                "linux.resources.devices[0].access: \"rwx\" is not a combination of r, w and m");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\"}]}}",
                "linux.devices[0]: major and minor are required");
  EXPECT_ERROR ("{" MINIMAL ", \"annotations\": {\"a\": 1}}", "annotations.a: expected a string, got 1");
  EXPECT_ERROR ("{\"root\": {\"path\": \"r\"}}", "ociVersion: required");
  EXPECT_ERROR ("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"\"}}", "root.path: must not be empty");
}

/* Every array of objects goes through one reader: a non-object element
 * is named by its index, wherever the array sits. */
TEST (array_elements_must_be_objects)
{
  EXPECT_ERROR ("{" MINIMAL ", \"mounts\": [{\"destination\": \"/a\"}, \"/b\"]}",
                "mounts[1]: expected an object, got \"/b\"");
  EXPECT_ERROR ("{" MINIMAL ", \"hooks\": {\"poststop\": [7]}}", "hooks.poststop[0]: expected an object, got 7");
  EXPECT_ERROR ("{" MINIMAL ", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", \"rlimits\": [[]]}}",
                "process.rlimits[0]: expected an object, got an array");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"size\": 1}, true]}}",
                "linux.uidMappings[1]: expected an object, got a boolean");
  EXPECT_ERROR ("{" MINIMAL ", \"mounts\": [{\"destination\": \"/a\", \"gidMappings\": [{\"size\": -1}]}]}",
                "mounts[0].gidMappings[0].size: expected a non-negative integer, got -1");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"op\": \"SCMP_CMP_EQ\"}, {}]}]}}}",
                "linux.seccomp.syscalls[0].args[1].op: required");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"seccomp\": {\"syscalls\": [1]}}}", "linux.seccomp.defaultAction: required");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"resources\": {\"blockIO\": {\"weightDevice\": [{\"major\": 8}]}}}}",
                "linux.resources.blockIO.weightDevice[0]: major and minor are required");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"resources\": {\"blockIO\": {\"throttleReadBpsDevice\": [null]}}}}",
                "linux.resources.blockIO.throttleReadBpsDevice[0]: expected an object, got null");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"resources\": {\"hugepageLimits\": [{\"limit\": 1}]}}}",
                "linux.resources.hugepageLimits[0].pageSize: required");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"resources\": {\"network\": {\"priorities\": [{\"priority\": 1}]}}}}",
                "linux.resources.network.priorities[0].name: required");
}

TEST (errors_for_malformed_json)
{
  EXPECT_ERROR ("{\"ociVersion\": ", "config.json: invalid JSON");
  EXPECT_ERROR ("[1, 2]", "config.json: expected a JSON object at the top level");
  EXPECT_ERROR ("", "config.json: invalid JSON");
}

TEST (parse_standalone_resources)
{
  tr_error_t err = NULL;
  struct spec *s = parse ("{" MINIMAL "}", &err);
  const char *json = "{\"memory\": {\"limit\": 1048576}, \"pids\": {\"limit\": 5}}";
  struct spec_resources *r = spec_parse_resources_json (s, json, strlen (json), &err);
  CHECK (r != NULL && r->memory->limit.v == 1048576 && r->pids_limit.v == 5);
  const char *bad = "{\"cpu\": {\"shares\": \"many\"}}";
  CHECK (spec_parse_resources_json (s, bad, strlen (bad), &err) == NULL);
  CHECK_ERR (err, "resources: cpu.shares: expected a non-negative integer");
  spec_free (s);
  tr_error_free (&err);
}

TEST (parse_standalone_process)
{
  tr_error_t err = NULL;
  struct spec *s = parse ("{" MINIMAL "}", &err);
  const char *json = "{\"args\": [\"ls\"], \"cwd\": \"/\", \"env\": [\"X=1\"]}";
  struct spec_process *p = spec_parse_process_json (s, json, strlen (json), &err);
  CHECK (p != NULL && p->args.n == 1);
  const char *bad = "{\"args\": [\"ls\"], \"cwd\": 5}";
  CHECK (spec_parse_process_json (s, bad, strlen (bad), &err) == NULL);
  CHECK_ERR (err, "process.json: cwd: expected a string, got 5");
  spec_free (s);
  tr_error_free (&err);
}

/* "[[[[...]]]]" n levels deep, malloc'd. */
static char *
nested (size_t n)
{
  char *s = malloc (2 * n + 1);
  memset (s, '[', n);
  memset (s + n, ']', n);
  s[2 * n] = '\0';
  return s;
}

TEST (deep_nesting_is_refused_by_every_parser)
{
  tr_error_t err = NULL;
  struct spec *s = parse ("{" MINIMAL "}", &err);
  char *deep = nested (300000);
  size_t len = strlen (deep);
  deep[0] = '{'; /* not even valid JSON: the depth is checked first */
  EXPECT_ERROR (deep, "config.json: nested deeper than 128 levels");
  CHECK (spec_parse_process_json (s, deep, len, &err) == NULL);
  CHECK_ERR (err, "process.json: nested deeper than 128 levels");
  tr_error_free (&err);
  CHECK (spec_parse_resources_json (s, deep, len, &err) == NULL);
  CHECK_ERR (err, "resources: nested deeper than 128 levels");
  tr_error_free (&err);
  struct container_state st = { 0 };
  CHECK (state_json_decode (deep, len, &st, &err) < 0);
  CHECK_ERR (err, "state.json: nested deeper than 128 levels");
  tr_error_free (&err);
  container_state_clear (&st);
  CHECK (hook_state_decode (deep, len, &st, &err) < 0);
  CHECK_ERR (err, "container state: nested deeper than 128 levels");
  tr_error_free (&err);
  container_state_clear (&st);
  free (deep);
  /* 128 levels are fine (an annotation value may not be an array: the
   * error is the reader's, not the scanner's). */
  char doc[400];
  char *inner = nested (126);
  snprintf (doc, sizeof doc, "{" MINIMAL ", \"x\": %s}", inner);
  free (inner);
  s = (spec_free (s), parse (doc, &err));
  CHECK (s != NULL);
  spec_free (s);
  tr_error_free (&err);
}

TEST (sizes_are_bounded)
{
  size_t n = JSON_MAX_CONFIG + 1;
  char *big = malloc (n + 1);
  memset (big, ' ', n);
  big[0] = '{';
  big[n - 1] = '}';
  big[n] = '\0';
  EXPECT_ERROR (big, "config.json: larger than 16777216 bytes");
  /* 2^20 + 1 values in an array */
  size_t m = (JSON_MAX_VALUES + 1) * 2 + 16;
  char *many = malloc (m + 1);
  strcpy (many, "{\"x\": [");
  size_t used = strlen (many);
  for (size_t i = 0; i <= JSON_MAX_VALUES; i++)
    {
      many[used++] = '0';
      many[used++] = ',';
    }
  strcpy (many + used, "0]}");
  EXPECT_ERROR (many, "config.json: more than 1048576 values");
  free (many);
  /* a 1 MiB string */
  memset (big, 'a', JSON_MAX_STRING + 10);
  memcpy (big, "{\"ociVersion\": \"", 16);
  strcpy (big + JSON_MAX_STRING + 17, "\"}");
  EXPECT_ERROR (big, "config.json: ociVersion: string longer than 1 MiB");
  free (big);
}

TEST (nul_characters_are_refused)
{
  EXPECT_ERROR ("{" MINIMAL ", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", \"env\": [\"A=1\", \"B=2\", \"C=3\", "
                "\"TERM=x\\u0000LD_PRELOAD=/x\"]}}",
                "config.json: process.env[3]: contains a NUL character");
  EXPECT_ERROR ("{" MINIMAL ", \"mounts\": [{\"destination\": \"/dev/mq\\u0000ueue\"}]}",
                "config.json: mounts[0].destination: contains a NUL character");
  EXPECT_ERROR ("{" MINIMAL ", \"annotations\": {\"a\\u0000b\": \"c\"}}",
                "config.json: annotations.a\\u0000b: key contains a NUL character");
  /* an escaped backslash before u0000 is no NUL */
  tr_error_t err = NULL;
  struct spec *s = parse ("{" MINIMAL ", \"hostname\": \"a\\\\u0000\"}", &err);
  CHECK (s != NULL && strcmp (s->hostname, "a\\u0000") == 0);
  spec_free (s);
  tr_error_free (&err);
  /* a raw NUL byte, even after the document, which yajl would not see */
  const char raw[] = "{\"ociVersion\": \"1\"}\0{";
  s = spec_parse (raw, sizeof raw - 1, &err);
  CHECK (s == NULL);
  CHECK_ERR (err, "config.json: contains a NUL byte at offset 19");
  tr_error_free (&err);
}

TEST (out_of_range_numbers_are_refused)
{
#define RES(x) "{" MINIMAL ", \"linux\": {\"resources\": " x "}}"
  EXPECT_ERROR (RES ("{\"memory\": {\"limit\": -5}}"),
                "linux.resources.memory.limit: -5 is negative (-1 means unlimited)");
  EXPECT_ERROR (RES ("{\"memory\": {\"swap\": -2}}"), "linux.resources.memory.swap: -2 is negative");
  EXPECT_ERROR (RES ("{\"cpu\": {\"quota\": -7}}"), "linux.resources.cpu.quota: -7 is negative");
  EXPECT_ERROR (RES ("{\"pids\": {\"limit\": -3}}"), "linux.resources.pids.limit: -3 is negative");
  EXPECT_ERROR (RES ("{\"memory\": {\"limit\": 99999999999999999999}}"),
                "linux.resources.memory.limit: 99999999999999999999 is out of range");
  EXPECT_ERROR (RES ("{\"memory\": {\"limit\": 1e30}}"), "linux.resources.memory.limit: expected an integer, got 1e30");
  EXPECT_ERROR (RES ("{\"devices\": [{\"allow\": true, \"major\": 4294967296}]}"),
                "linux.resources.devices[0].major: 4294967296 is outside -1..4294967295");
  EXPECT_ERROR (RES ("{\"devices\": [{\"allow\": true, \"minor\": -2}]}"),
                "linux.resources.devices[0].minor: -2 is outside -1..4294967295");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1, "
                "\"minor\": 4294967296}]}}",
                "linux.devices[0].minor: 4294967296 is outside -1..4294967295");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", "
                "\"defaultErrnoRet\": 4096}}}",
                "linux.seccomp.defaultErrnoRet: 4096 is more than 4095");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5000}]}}}",
                "linux.seccomp.syscalls[0].errnoRet: 5000 is more than 4095");
  EXPECT_ERROR ("{" MINIMAL ", \"hooks\": {\"prestart\": [{\"path\": \"/x\", \"timeout\": 0}]}}",
                "hooks.prestart[0].timeout: must be greater than zero");
  EXPECT_ERROR ("{" MINIMAL ", \"hooks\": {\"poststop\": [{\"path\": \"/x\", \"timeout\": 9223372036854775807}]}}",
                "hooks.poststop[0].timeout: 9223372036854775807 s is more than 2147483 s");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 0}]}}",
                "linux.uidMappings[0].size: must be greater than zero");
  EXPECT_ERROR ("{" MINIMAL ", \"linux\": {\"gidMappings\": [{\"containerID\": 0, \"hostID\": 4294967295, "
                "\"size\": 2}]}}",
                "linux.gidMappings[0]: hostID + size overflows 2^32");
  EXPECT_ERROR ("{" MINIMAL ", \"mounts\": [{\"destination\": \"/a\", \"uidMappings\": [{\"containerID\": 4294967295, "
                "\"hostID\": 0, \"size\": 2}]}]}",
                "mounts[0].uidMappings[0]: containerID + size overflows 2^32");
  /* the edges themselves are accepted */
  tr_error_t err = NULL;
  struct spec *s = parse (RES ("{\"memory\": {\"limit\": -1}, \"devices\": [{\"allow\": false, \"major\": 4294967295, "
                               "\"minor\": -1}]}"),
                          &err);
  CHECK (s != NULL);
  spec_free (s);
  s = parse ("{" MINIMAL ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 4294967295}]}}",
             &err);
  CHECK (s != NULL);
  spec_free (s);
  tr_error_free (&err);
#undef RES
}

TEST (too_many_additional_gids)
{
  size_t n = 65536 + 1; /* NGROUPS_MAX + 1 */
  char *doc = malloc (n * 2 + 256);
  strcpy (doc, "{" MINIMAL ", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", \"user\": {\"additionalGids\": [");
  size_t used = strlen (doc);
  for (size_t i = 0; i < n; i++)
    {
      doc[used++] = '1';
      doc[used++] = ',';
    }
  strcpy (doc + used - 1, "]}}}");
  EXPECT_ERROR (doc, "process.user.additionalGids: more than 65536 groups");
  free (doc);
}
