#include "unit.h"
#include "cgroup/cgroup.h"

#include <stdlib.h>

TEST (cgroup_path_resolution)
{
  tr_error_t err = NULL;
  char *p = cgroup_resolve_path (NULL, "c1", &err);
  CHECK_STR (p, "/tinyrun/c1");
  free (p);
  p = cgroup_resolve_path ("/machine/c1/", "c1", &err);
  CHECK_STR (p, "/machine/c1");
  free (p);
  CHECK (cgroup_resolve_path ("/a/../../etc", "c1", &err) == NULL);
  CHECK_ERR (err, "must not contain \"..\"");
  CHECK (cgroup_resolve_path ("/", "c1", &err) == NULL);
  CHECK_ERR (err, "the root cgroup cannot hold a container");
  /* ".." inside a name is fine */
  p = cgroup_resolve_path ("/a..b", "c1", &err);
  CHECK_STR (p, "/a..b");
  free (p);
  tr_error_free (&err);
}
