#include "config.h"
#include "oci-spec/spec_default.h"

#include <stdio.h>
#include <unistd.h>

/* The pieces both documents share, written once. */
#define CAPS "\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\""

#define PROCESS                                                                         \
  "\t\"process\": {\n"                                                                  \
  "\t\t\"terminal\": true,\n"                                                           \
  "\t\t\"user\": { \"uid\": 0, \"gid\": 0 },\n"                                         \
  "\t\t\"args\": [ \"sh\" ],\n"                                                         \
  "\t\t\"env\": [\n"                                                                    \
  "\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"      \
  "\t\t\t\"TERM=xterm\"\n"                                                              \
  "\t\t],\n"                                                                            \
  "\t\t\"cwd\": \"/\",\n"                                                               \
  "\t\t\"capabilities\": {\n"                                                           \
  "\t\t\t\"bounding\": [ " CAPS " ],\n"                                                 \
  "\t\t\t\"effective\": [ " CAPS " ],\n"                                                \
  "\t\t\t\"permitted\": [ " CAPS " ],\n"                                                \
  "\t\t\t\"ambient\": [ " CAPS " ]\n"                                                   \
  "\t\t},\n"                                                                            \
  "\t\t\"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n" \
  "\t\t\"noNewPrivileges\": true\n"                                                     \
  "\t},\n"                                                                              \
  "\t\"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"                         \
  "\t\"hostname\": \"tinyrun\",\n"

/* devpts_gid: the rootless variant cannot chown ptys to a group that its
 * user namespace does not map. */
#define MOUNTS_HEAD(devpts_gid)                                                             \
  "\t\"mounts\": [\n"                                                                       \
  "\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"           \
  "\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"            \
  "\t\t  \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"    \
  "\t\t{ \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"      \
  "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"" devpts_gid " ] },\n" \
  "\t\t{ \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"          \
  "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n" \
  "\t\t{ \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"   \
  "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"

#define PATHS                                                                                 \
  "\t\t\"maskedPaths\": [\n"                                                                  \
  "\t\t\t\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n" \
  "\t\t\t\"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\",\n" \
  "\t\t\t\"/proc/scsi\"\n"                                                                    \
  "\t\t],\n"                                                                                  \
  "\t\t\"readonlyPaths\": [\n"                                                                \
  "\t\t\t\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"\n" \
  "\t\t]\n"

static const char default_spec[] =
  "{\n"
  "\t\"ociVersion\": \"1.2.0\",\n" PROCESS MOUNTS_HEAD (", \"gid=5\"")
  "\t\t{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
  "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] },\n"
  "\t\t{ \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
  "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n"
  "\t],\n"
  "\t\"linux\": {\n"
  "\t\t\"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
  "\t\t\"namespaces\": [\n"
  "\t\t\t{ \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
  "\t\t\t{ \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }\n"
  "\t\t],\n" PATHS
  "\t}\n"
  "}\n";

/* Rootless: a user namespace mapping uid/gid 0 to the caller (the %u are
 * its euid and egid), the host's /sys bound (sysfs needs a network
 * namespace the user owns), no cgroup device rules. */
static const char rootless_format[] =
  "{\n"
  "\t\"ociVersion\": \"1.2.0\",\n" PROCESS MOUNTS_HEAD ("")
  "\t\t{ \"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\",\n"
  "\t\t  \"options\": [ \"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n"
  "\t],\n"
  "\t\"linux\": {\n"
  "\t\t\"uidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
  "\t\t\"gidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
  "\t\t\"namespaces\": [\n"
  "\t\t\t{ \"type\": \"pid\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" },\n"
  "\t\t\t{ \"type\": \"mount\" }, { \"type\": \"cgroup\" }, { \"type\": \"user\" }\n"
  "\t\t],\n" PATHS
  "\t}\n"
  "}\n";

const char *
spec_default_json (bool rootless)
{
  static char rootless_spec[sizeof rootless_format + 32];
  if (!rootless)
    return default_spec;
  snprintf (rootless_spec, sizeof rootless_spec, rootless_format, (unsigned) geteuid (), (unsigned) getegid ());
  return rootless_spec;
}
