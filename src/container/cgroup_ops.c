/* Commands that act on a container through its cgroup: update, pause,
 * resume, ps. */
#include "config.h"
#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "container/container.h"

#include <errno.h>
#include <unistd.h>

/* Open the container under its lock and refuse a stopped one, or one
 * without a cgroup (rootless, none delegated): runc's "can't <verb> a
 * container without cgroup". */
static int
open_live (const char *root, const char *id, const char *verb, struct container_state *st,
           enum container_status *status, tr_error_t *err)
{
  int dirfd = container_open (root, id, true, st, status, err);
  if (dirfd < 0)
    return -1;
  if (*status == STATUS_STOPPED)
    {
      close (dirfd);
      return tr_error_plain (err, ESRCH, "container is not running");
    }
  if (st->cgroup_path == NULL || st->cgroup_path[0] == '\0')
    {
      close (dirfd);
      return tr_error_plain (err, ENOENT, "container has no cgroup: can't %s a container without cgroup", verb);
    }
  return dirfd;
}

int
container_update (const char *root, const char *id, const struct spec_resources *res, tr_error_t *err)
{
  struct container_state st = { 0 };
  enum container_status status;
  cleanup_close int dirfd = open_live (root, id, "update", &st, &status, err);
  int ret = dirfd < 0 ? -1 : cgroup_update (cgroup_manager_of (st.systemd_cgroup), st.cgroup_path, res, err);
  container_state_clear (&st);
  return ret;
}

static int
pause_live (const char *root, const char *id, bool pause, struct container_state *st, tr_error_t *err)
{
  enum container_status status;
  cleanup_close int dirfd = open_live (root, id, pause ? "pause" : "resume", st, &status, err);
  if (dirfd < 0)
    return -1;
  if (pause && status != STATUS_RUNNING)
    return tr_error_plain (err, EINVAL, "cannot pause a container that is %s", container_status_name (status));
  if (!pause && status != STATUS_PAUSED)
    return tr_error_plain (err, EINVAL, "cannot resume a container that is %s", container_status_name (status));
  return cgroup_freeze (st->cgroup_path, pause, err);
}

int
container_pause (const char *root, const char *id, bool pause, tr_error_t *err)
{
  struct container_state st = { 0 };
  int ret = pause_live (root, id, pause, &st, err);
  container_state_clear (&st);
  return ret;
}

static int
pids_of (const char *root, const char *id, struct container_state *st, pid_t **pids, size_t *n, tr_error_t *err)
{
  enum container_status status;
  cleanup_close int dirfd = container_open (root, id, false, st, &status, err);
  if (dirfd < 0)
    return -1;
  /* A stopped container has no processes; its cgroup may be gone. */
  if (status == STATUS_STOPPED || st->cgroup_path == NULL)
    return 0;
  /* Rootless without a cgroup: "" is no path, not the root cgroup. */
  if (st->cgroup_path[0] == '\0')
    return tr_error_plain (err, ENOENT, "container has no cgroup");
  return cgroup_pids (st->cgroup_path, pids, n, err);
}

int
container_pids (const char *root, const char *id, pid_t **pids, size_t *n, tr_error_t *err)
{
  struct container_state st = { 0 };
  *pids = NULL;
  *n = 0;
  int ret = pids_of (root, id, &st, pids, n, err);
  container_state_clear (&st);
  return ret;
}
