#include "unit.h"
#include "cgroup/systemd/unit_path.h"

#include <stdlib.h>

static void
check_parse (int *unit_failed_, const char *path, bool rootless, const char *slice, const char *unit,
             const char *dir)
{
  tr_error_t err = NULL;
  struct systemd_unit_path up = { 0 };
  CHECK (systemd_unit_path_parse (path, "c1", rootless, &up, &err) == 0);
  CHECK_STR (up.slice, slice);
  CHECK_STR (up.unit, unit);
  CHECK_STR (up.dir, dir);
  systemd_unit_path_clear (&up);
  tr_error_free (&err);
}

TEST (systemd_unit_path_forms)
{
  check_parse (unit_failed_, "system.slice:tinyrun:c1", false, "system.slice", "tinyrun-c1.scope", "/system.slice");
  check_parse (unit_failed_, "machine.slice:libpod:0123abc", false, "machine.slice", "libpod-0123abc.scope",
               "/machine.slice");
  check_parse (unit_failed_, "kubepods-burstable-pod12_34.slice:cri-containerd:abc", false,
               "kubepods-burstable-pod12_34.slice", "cri-containerd-abc.scope",
               "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12_34.slice");
  /* Empty slice: system.slice, or user.slice for a user's manager. */
  check_parse (unit_failed_, ":p:n", false, "system.slice", "p-n.scope", "/system.slice");
  check_parse (unit_failed_, ":p:n", true, "user.slice", "p-n.scope", "/user.slice");
  /* No cgroupsPath: ":tinyrun:<id>"; no prefix: the name alone. */
  check_parse (unit_failed_, NULL, false, "system.slice", "tinyrun-c1.scope", "/system.slice");
  check_parse (unit_failed_, "", false, "system.slice", "tinyrun-c1.scope", "/system.slice");
  check_parse (unit_failed_, "a.slice::n", false, "a.slice", "n.scope", "/a.slice");
  check_parse (unit_failed_, "-.slice:p:n", false, "-.slice", "p-n.scope", "");
}

TEST (systemd_unit_path_refused)
{
  const char *bad[][2] = {
    { "x", "linux.cgroupsPath: \"x\" is not slice:prefix:name" },
    { "/tinyrun/c1", "is not slice:prefix:name" },
    { "a.slice:b", "is not slice:prefix:name" },
    { "a.slice:b:c:d", "is not slice:prefix:name" },
    { "a.slice:p:", "the name is empty" },
    { "a:p:n", "slice \"a\" is not a name ending in \".slice\"" },
    { "a/b.slice:p:n", "is not a name ending in \".slice\"" },
    { "a--b.slice:p:n", "\"a--b.slice\" is not a valid slice name" },
    { "-a.slice:p:n", "is not a valid slice name" },
    { "a-.slice:p:n", "is not a valid slice name" },
    { "a.slice:p/q:n", "may hold only" },
    { "a.slice:p:n/../x", "may hold only" },
    { "a.slice:p:n.slice", "not a slice" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      tr_error_t err = NULL;
      struct systemd_unit_path up = { 0 };
      CHECK (systemd_unit_path_parse (bad[i][0], "c1", false, &up, &err) < 0);
      CHECK_ERR (err, bad[i][1]);
      CHECK (up.slice == NULL && up.unit == NULL && up.dir == NULL);
      tr_error_free (&err);
    }
}

TEST (systemd_expand_slice)
{
  tr_error_t err = NULL;
  char *p = systemd_expand_slice ("a-b-c.slice", &err);
  CHECK_STR (p, "/a.slice/a-b.slice/a-b-c.slice");
  free (p);
  p = systemd_expand_slice ("system.slice", &err);
  CHECK_STR (p, "/system.slice");
  free (p);
  p = systemd_expand_slice ("-.slice", &err);
  CHECK_STR (p, "");
  free (p);
  CHECK (systemd_expand_slice ("a.scope", &err) == NULL);
  CHECK_ERR (err, "not a name ending in \".slice\"");
  tr_error_free (&err);
}

TEST (systemd_unit_of_cgroup)
{
  const char *unit = NULL;
  char slice[64];
  CHECK (systemd_unit_of_cgroup ("/system.slice/tinyrun-c1.scope", &unit, slice, sizeof slice));
  CHECK_STR (unit, "tinyrun-c1.scope");
  CHECK_STR (slice, "system.slice");
  CHECK (systemd_unit_of_cgroup ("/a.slice/a-b.slice/p-n.scope", &unit, slice, sizeof slice));
  CHECK_STR (slice, "a-b.slice");
  CHECK (systemd_unit_of_cgroup ("/p-n.scope", &unit, slice, sizeof slice));
  CHECK_STR (slice, "-.slice");
  CHECK (systemd_unit_of_cgroup ("/user.slice/user-1000.slice/user@1000.service/p-n.scope", &unit, slice,
                                 sizeof slice));
  CHECK_STR (slice, "-.slice");
  CHECK (!systemd_unit_of_cgroup ("/tinyrun/c1", &unit, slice, sizeof slice));
}
