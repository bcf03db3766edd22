#include "unit.h"
#include "linux/criu.h"
#include "oci-spec/descriptors_json.h"

#include <stdlib.h>

/* The argv joined with single spaces (caller frees). */
static char *
joined (const struct criu_request *r, tr_error_t *err)
{
  struct criu_argv a;
  if (criu_argv_build (r, &a, err) < 0)
    {
      criu_argv_clear (&a);
      return NULL;
    }
  size_t len = 1;
  for (size_t i = 0; i < a.n; i++)
    len += strlen (a.v[i]) + 1;
  char *out = calloc (1, len);
  for (size_t i = 0; out && i < a.n; i++)
    {
      if (i)
        strcat (out, " ");
      strcat (out, a.v[i]);
    }
  if (a.v[a.n] != NULL)
    out[0] = '\0'; /* not NULL-terminated: no match */
  criu_argv_clear (&a);
  return out;
}

TEST (criu_argv_dump)
{
  tr_error_t err = NULL;
  struct criu_external ext[] = { { "mnt", "/data", "/data" }, { "net", "4026531992", "extRootNetNS" } };
  struct criu_request r = {
    .action = CRIU_DUMP, .pid = 42, .image_dir = "/img", .work_dir = "/work", .log_file = "dump.log",
    .root = "/b/rootfs", .flags = CRIU_LEAVE_RUNNING | CRIU_TCP_ESTABLISHED | CRIU_FILE_LOCKS,
    .externals = ext, .n_externals = 2,
  };
  char *s = joined (&r, &err);
  CHECK_STR (s, "criu dump --work-dir /work --log-file dump.log --images-dir /img -v4 --root /b/rootfs --tree 42 "
                "--manage-cgroups=soft --leave-running --tcp-established --file-locks "
                "--external mnt[/data]:/data --external net[4026531992]:extRootNetNS");
  free (s);
}

TEST (criu_argv_pre_dump_and_parent)
{
  tr_error_t err = NULL;
  struct criu_request r = { .action = CRIU_PRE_DUMP, .binary = "/opt/criu", .pid = 7, .image_dir = "/pre",
                            .flags = CRIU_TRACK_MEM };
  char *s = joined (&r, &err);
  /* A pre-dump takes no cgroup options. */
  CHECK_STR (s, "/opt/criu pre-dump --images-dir /pre -v4 --tree 7 --track-mem");
  free (s);
  r = (struct criu_request){ .action = CRIU_DUMP, .pid = 7, .image_dir = "/final", .parent_dir = "../pre",
                             .manage_cgroups_mode = "ignore", .flags = CRIU_TRACK_MEM };
  s = joined (&r, &err);
  CHECK_STR (s, "criu dump --images-dir /final -v4 --tree 7 --prev-images-dir ../pre --manage-cgroups=ignore "
                "--track-mem");
  free (s);
}

TEST (criu_argv_restore)
{
  tr_error_t err = NULL;
  struct criu_external ext[] = { { "mnt", "/data", "/host/data" } };
  struct criu_inherit inh[] = { { 0, "pipe:[123]" }, { 5, "extRootNetNS" } };
  struct criu_request r = {
    .action = CRIU_RESTORE, .image_dir = "/img", .work_dir = "/w", .log_file = "restore.log", .root = "/s/criu-root",
    .pid_file = "/s/restore.pid", .cgroup_root = "/tinyrun/c1", .empty_ns = "net", .lsm_profile = "apparmor:p",
    .externals = ext, .n_externals = 1, .inherits = inh, .n_inherits = 2,
  };
  char *s = joined (&r, &err);
  CHECK_STR (s, "criu restore --work-dir /w --log-file restore.log --images-dir /img -v4 --root /s/criu-root "
                "--restore-detached --restore-sibling --pidfile /s/restore.pid --cgroup-root /tinyrun/c1 "
                "--lsm-profile apparmor:p "
                "--manage-cgroups=soft --empty-ns net --external mnt[/data]:/host/data "
                "--inherit-fd fd[0]:pipe:[123] --inherit-fd fd[5]:extRootNetNS");
  free (s);
}

/* A terminal: its tty is external on dump (no ":VALUE"), a new pty's
 * slave stands for it on restore; a paused container's freezer. */
TEST (criu_argv_terminal_and_freezer)
{
  tr_error_t err = NULL;
  struct criu_external ext[] = { { "tty", "8800:1a", NULL }, { "mnt", "/dev/console", "/dev/console" } };
  struct criu_request r = {
    .action = CRIU_DUMP, .pid = 9, .image_dir = "/i", .freeze_cgroup = "/sys/fs/cgroup/freezer/tinyrun/c1",
    .externals = ext, .n_externals = 2,
  };
  char *s = joined (&r, &err);
  CHECK_STR (s, "criu dump --images-dir /i -v4 --tree 9 --freeze-cgroup /sys/fs/cgroup/freezer/tinyrun/c1 "
                "--manage-cgroups=soft --external tty[8800:1a] --external mnt[/dev/console]:/dev/console");
  free (s);
  struct criu_external rext[] = { { "mnt", "/dev/console", "/dev/pts/3" } };
  struct criu_inherit inh[] = { { 4, "tty[8800:1a]" } };
  r = (struct criu_request){ .action = CRIU_RESTORE, .image_dir = "/i", .externals = rext, .n_externals = 1,
                             .inherits = inh, .n_inherits = 1, .freeze_cgroup = "/ignored" };
  s = joined (&r, &err);
  CHECK_STR (s, "criu restore --images-dir /i -v4 --restore-detached --restore-sibling --manage-cgroups=soft "
                "--external mnt[/dev/console]:/dev/pts/3 --inherit-fd fd[4]:tty[8800:1a]");
  free (s);
}

TEST (criu_argv_refuses)
{
  tr_error_t err = NULL;
  struct criu_external bad[] = { { "mnt", "/a]b", "/a]b" } };
  struct criu_request r = { .action = CRIU_DUMP, .pid = 1, .image_dir = "/i", .externals = bad, .n_externals = 1 };
  CHECK (joined (&r, &err) == NULL);
  CHECK_ERR (err, "criu --external mnt[/a]b]: a path with \"]\" or a newline");
  tr_error_free (&err);
  r = (struct criu_request){ .action = CRIU_DUMP, .pid = 1, .image_dir = "/i", .manage_cgroups_mode = "most" };
  CHECK (joined (&r, &err) == NULL);
  CHECK_ERR (err, "manage-cgroups-mode \"most\": not none, soft, full, strict or ignore");
  tr_error_free (&err);
  r = (struct criu_request){ .action = CRIU_RESTORE };
  CHECK (joined (&r, &err) == NULL);
  CHECK_ERR (err, "criu restore: no image directory");
  tr_error_free (&err);
}

TEST (criu_descriptors_json)
{
  tr_error_t err = NULL;
  char *in[DESCRIPTORS_N] = { "pipe:[1]", "/dev/null", "pipe:[\"2\"]" };
  size_t len;
  char *json = descriptors_json_encode (in, &len, &err);
  CHECK_STR (json, "[\"pipe:[1]\",\"/dev/null\",\"pipe:[\\\"2\\\"]\"]");
  char *out[DESCRIPTORS_N];
  CHECK (json && descriptors_json_decode (json, len, out, &err) == 0);
  for (int i = 0; json && i < DESCRIPTORS_N; i++)
    {
      CHECK_STR (out[i], in[i]);
      free (out[i]);
    }
  free (json);
  CHECK (descriptors_json_decode ("{}", 2, out, &err) < 0);
  CHECK_ERR (err, "descriptors.json: not an array");
  tr_error_free (&err);
  CHECK (descriptors_json_decode ("[1]", 3, out, &err) < 0);
  CHECK_ERR (err, "descriptors.json[0]: not a string");
  tr_error_free (&err);
}
