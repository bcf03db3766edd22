#include "config.h"
#include "container/features.h"
#include "linux/caps.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/capability.h>
#include <yajl/yajl_gen.h>

static void
str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static void
str_array (yajl_gen g, const char *key, const char *const *v)
{
  str (g, key);
  yajl_gen_array_open (g);
  for (; *v; v++)
    str (g, *v);
  yajl_gen_array_close (g);
}

static void
enabled (yajl_gen g, const char *key, bool on)
{
  str (g, key);
  yajl_gen_map_open (g);
  str (g, "enabled");
  yajl_gen_bool (g, on);
  yajl_gen_map_close (g);
}

static const char *const hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                                     "poststart", "poststop", NULL };

static const char *const mount_options[] = {
  "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "lazytime", "loud", "mand",
  "noatime", "nodev", "nodiratime", "noexec", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid",
  "nosymfollow", "private", "rbind", "rdev", "relatime", "remount", "rexec", "rnoatime", "rnodev", "rnodiratime",
  "rnoexec", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave",
  "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid",
  "symfollow", "sync", "unbindable", NULL,
};

static const char *const seccomp_actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
                                               "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                                               "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP", NULL };
static const char *const seccomp_operators[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
                                                 "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL };
static const char *const seccomp_archs[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
                                             "SCMP_ARCH_ARM", NULL };
static const char *const seccomp_flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                             "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                             "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };

static void
seccomp (yajl_gen g)
{
  str (g, "seccomp");
  yajl_gen_map_open (g);
  str (g, "enabled");
  yajl_gen_bool (g, 1);
  str_array (g, "actions", seccomp_actions);
  str_array (g, "operators", seccomp_operators);
  str_array (g, "archs", seccomp_archs);
  str_array (g, "knownFlags", seccomp_flags);
  str_array (g, "supportedFlags", seccomp_flags);
  yajl_gen_map_close (g);
}

static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL };

static void
capabilities (yajl_gen g)
{
  str (g, "capabilities");
  yajl_gen_array_open (g);
  for (int cap = 0; cap <= cap_last (); cap++)
    {
      char *name = cap_to_name ((cap_value_t) cap);
      if (name == NULL)
        continue;
      char upper[64];
      size_t i;
      for (i = 0; name[i] && i < sizeof upper - 1; i++)
        upper[i] = (char) (name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
      upper[i] = '\0';
      cap_free (name);
      if (strncmp (upper, "CAP_", 4) == 0)
        str (g, upper);
    }
  yajl_gen_array_close (g);
}

char *
features_json (tr_error_t *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    {
      tr_error (err, ENOMEM, "features");
      return NULL;
    }
  yajl_gen_config (g, yajl_gen_beautify, 1);
  yajl_gen_map_open (g);
  str (g, "ociVersionMin");
  str (g, "1.0.0");
  str (g, "ociVersionMax");
  str (g, "1.2.0");
  str_array (g, "hooks", hooks);
  str_array (g, "mountOptions", mount_options);
  str (g, "linux");
  yajl_gen_map_open (g);
  str_array (g, "namespaces", namespaces);
  capabilities (g);
  str (g, "cgroup");
  yajl_gen_map_open (g);
  str (g, "v1");
  yajl_gen_bool (g, 1);
  str (g, "v2");
  yajl_gen_bool (g, 1);
  str (g, "systemd");
  yajl_gen_bool (g, 0);
  str (g, "systemdUser");
  yajl_gen_bool (g, 0);
  yajl_gen_map_close (g);
  seccomp (g);
  /* Applied where the host has them enabled (see lsm.c). */
  enabled (g, "apparmor", true);
  enabled (g, "selinux", true);
  enabled (g, "intelRdt", false);
  str (g, "mountExtensions");
  yajl_gen_map_open (g);
  enabled (g, "idmap", false);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  str (g, "annotations");
  yajl_gen_map_open (g);
  str (g, "io.github.tinyrun.version");
  str (g, PACKAGE_VERSION);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);

  const unsigned char *buf;
  size_t len;
  char *out = NULL;
  if (yajl_gen_get_buf (g, &buf, &len) == yajl_gen_status_ok)
    out = strndup ((const char *) buf, len);
  yajl_gen_free (g);
  if (out == NULL)
    tr_error (err, ENOMEM, "features");
  return out;
}
