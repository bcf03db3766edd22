/* linux.intelRdt on a plain directory standing in for a resctrl mount
 * (this project's machines have no RDT): the files rdt_apply_at writes,
 * their order, and what delete removes.  Groups are made beforehand with
 * their files, as the kernel's mkdir would. */
#include "unit.h"
#include "linux/intelrdt.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
slurp (const char *dir, const char *name)
{
  cleanup_free char *path = NULL;
  if (asprintf (&path, "%s/%s", dir, name) < 0)
    return NULL;
  size_t len;
  tr_error_t err = NULL;
  char *text = read_file_at (AT_FDCWD, path, &len, &err);
  tr_error_free (&err);
  return text;
}

static void
make_group (const char *dir)
{
  mkdir (dir, 0755);
  const char *files[] = { "schemata", "tasks" };
  for (size_t i = 0; i < 2; i++)
    {
      cleanup_free char *path = NULL;
      if (asprintf (&path, "%s/%s", dir, files[i]) > 0)
        close (open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    }
}

TEST (intelrdt_schemata_order_tasks_and_mon_group)
{
  char root[] = "/tmp/tinyrun-rdt-XXXXXX", state[] = "/tmp/tinyrun-rdt-state-XXXXXX";
  CHECK (mkdtemp (root) != NULL && mkdtemp (state) != NULL);
  char group[256], mon[512];
  snprintf (group, sizeof group, "%s/clos1", root);
  snprintf (mon, sizeof mon, "%s/mon_groups", group);
  make_group (group);
  mkdir (mon, 0755);
  snprintf (mon, sizeof mon, "%s/mon_groups/c1", group);
  make_group (mon);
  char *lines[] = { "L2:0=3", "MB:0=50" };
  struct spec_intel_rdt rdt = {
    .clos_id = "clos1",
    .l3_cache_schema = "L3:0=f",
    .mem_bw_schema = "MB:0=70",
    .schemata = { lines, 2 },
    .enable_monitoring = { .set = true, .v = true },
  };
  int sfd = open (state, O_PATH | O_DIRECTORY | O_CLOEXEC);
  tr_error_t err = NULL;
  CHECK (rdt_apply_at (root, &rdt, "c1", 4242, sfd, &err) == 0);
  if (err)
    fprintf (stderr, "  %s\n", err->msg);
  char *s = slurp (group, "schemata"), *t = slurp (group, "tasks"), *mt = slurp (mon, "tasks");
  CHECK_STR (s, "L3:0=f\nMB:0=70\nL2:0=3\nMB:0=50\n");
  CHECK_STR (t, "4242");
  CHECK_STR (mt, "4242");
  /* closID given: delete removes only the MON group. */
  char *rec = slurp (state, "intelrdt");
  char want[1024];
  snprintf (want, sizeof want, "%s\n", mon);
  CHECK_STR (rec, want);
  unlink (strcat (strcpy (want, mon), "/tasks"));
  unlink (strcat (strcpy (want, mon), "/schemata"));
  CHECK (rdt_release (sfd, &err) == 0);
  CHECK (access (mon, F_OK) < 0 && access (group, F_OK) == 0);
  free (s), free (t), free (mt), free (rec);
  tr_error_free (&err);
  close (sfd);
  CHECK (system ((snprintf (want, sizeof want, "rm -rf %s %s", root, state), want)) == 0);
}

/* No closID and a group that was already there: not tinyrun's to remove;
 * no schema: the schemata file is not written. */
TEST (intelrdt_existing_group_is_kept)
{
  char root[] = "/tmp/tinyrun-rdt-XXXXXX", state[] = "/tmp/tinyrun-rdt-state-XXXXXX";
  CHECK (mkdtemp (root) != NULL && mkdtemp (state) != NULL);
  char group[256], cmd[512];
  snprintf (group, sizeof group, "%s/c2", root);
  make_group (group);
  struct spec_intel_rdt rdt = { 0 };
  int sfd = open (state, O_PATH | O_DIRECTORY | O_CLOEXEC);
  tr_error_t err = NULL;
  CHECK (rdt_apply_at (root, &rdt, "c2", 77, sfd, &err) == 0);
  char *s = slurp (group, "schemata"), *t = slurp (group, "tasks"), *rec = slurp (state, "intelrdt");
  CHECK_STR (s, "");
  CHECK_STR (t, "77");
  CHECK_STR (rec, "");
  CHECK (rdt_release (sfd, &err) == 0 && access (group, F_OK) == 0);
  free (s), free (t), free (rec);
  close (sfd);
  tr_error_free (&err);
  snprintf (cmd, sizeof cmd, "rm -rf %s %s", root, state);
  CHECK (system (cmd) == 0);
}

/* A closID with no schema names a group that must exist; "/" is the
 * root group itself. */
TEST (intelrdt_closid_rules)
{
  char root[] = "/tmp/tinyrun-rdt-XXXXXX", state[] = "/tmp/tinyrun-rdt-state-XXXXXX", cmd[512];
  CHECK (mkdtemp (root) != NULL && mkdtemp (state) != NULL);
  int sfd = open (state, O_PATH | O_DIRECTORY | O_CLOEXEC);
  tr_error_t err = NULL;
  struct spec_intel_rdt missing = { .clos_id = "nosuch" };
  CHECK (rdt_apply_at (root, &missing, "c3", 1, sfd, &err) < 0);
  CHECK (err && strstr (err->msg, "linux.intelRdt.closID:") && strstr (err->msg, "does not exist"));
  tr_error_free (&err);
  make_group (root);
  struct spec_intel_rdt top = { .clos_id = "/" };
  CHECK (rdt_apply_at (root, &top, "c3", 5, sfd, &err) == 0);
  char *t = slurp (root, "tasks");
  CHECK_STR (t, "5");
  free (t);
  struct spec_intel_rdt bad = { .clos_id = "../x" };
  CHECK (rdt_validate (&bad, &err) < 0 && err && strstr (err->msg, "linux.intelRdt.closID"));
  tr_error_free (&err);
  close (sfd);
  snprintf (cmd, sizeof cmd, "rm -rf %s %s", root, state);
  CHECK (system (cmd) == 0);
}
