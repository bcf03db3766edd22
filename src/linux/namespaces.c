#include "config.h"
#include "linux/namespaces.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

unsigned long
ns_clone_flag (enum spec_ns_type type)
{
  switch (type)
    {
    case NS_PID:
      return CLONE_NEWPID;
    case NS_NETWORK:
      return CLONE_NEWNET;
    case NS_MOUNT:
      return CLONE_NEWNS;
    case NS_IPC:
      return CLONE_NEWIPC;
    case NS_UTS:
      return CLONE_NEWUTS;
    case NS_USER:
      return CLONE_NEWUSER;
    case NS_CGROUP:
      return CLONE_NEWCGROUP;
    case NS_TIME:
      return CLONE_NEWTIME;
    case NS_COUNT:
      break;
    }
  return 0;
}

size_t
ns_supported_names (const char **out, size_t max)
{
  size_t n = 0;
  for (int t = 0; t < NS_COUNT; t++)
    if (ns_clone_flag ((enum spec_ns_type) t) != 0)
      {
        if (n < max)
          out[n] = spec_ns_name ((enum spec_ns_type) t);
        n++;
      }
  return n;
}

int
ns_plan_build (const struct spec *spec, struct ns_plan *plan, tr_error_t *err)
{
  memset (plan, 0, sizeof *plan);
  const struct spec_linux *l = spec->linux_;
  if (l == NULL)
    return 0;
  bool any_join_besides_user = false;
  const struct spec_namespace *user = spec_find_namespace (spec, NS_USER);

  /* The user namespace is joined first: the others may belong to it. */
  if (user && user->path)
    plan->join[plan->n_join++] = user;
  for (size_t i = 0; i < l->n_namespaces; i++)
    {
      const struct spec_namespace *ns = &l->namespaces[i];
      if (ns->type == NS_USER)
        continue;
      if (ns->path)
        {
          plan->join[plan->n_join++] = ns;
          any_join_besides_user = true;
          continue;
        }
      switch (ns->type)
        {
        case NS_PID:
          plan->new_pid = true;
          break;
        case NS_TIME:
          plan->new_time = true;
          break;
        case NS_CGROUP:
          plan->cgroup_ns = true;
          break;
        default:
          plan->new_flags |= ns_clone_flag (ns->type);
        }
    }
  if (user && !user->path)
    {
      plan->new_user = true;
      plan->new_flags |= CLONE_NEWUSER;
    }
  plan->intermediate = (user && user->path) || (plan->new_user && any_join_besides_user);

  if (plan->new_user && l->uid_mappings.n == 0)
    return tr_error_plain (err, EINVAL, "linux.uidMappings: required with a new user namespace");
  if (plan->new_user && l->gid_mappings.n == 0)
    return tr_error_plain (err, EINVAL, "linux.gidMappings: required with a new user namespace");
  if (!plan->new_user && (l->uid_mappings.n || l->gid_mappings.n))
    return tr_error_plain (err, EINVAL, "linux.uidMappings: id mappings need a new user namespace");
  if ((l->time_monotonic.set || l->time_boottime.set) && !plan->new_time)
    return tr_error_plain (err, EINVAL, "linux.timeOffsets: offsets need a new time namespace");
  return 0;
}

int
ns_open_joins (const struct ns_plan *plan, int *fds, tr_error_t *err)
{
  for (size_t i = 0; i < plan->n_join; i++)
    fds[i] = -1;
  for (size_t i = 0; i < plan->n_join; i++)
    {
      fds[i] = open (plan->join[i]->path, O_RDONLY | O_CLOEXEC);
      if (fds[i] < 0)
        {
          int saved = errno;
          for (size_t j = 0; j < i; j++)
            close (fds[j]);
          return tr_error (err, saved, "open %s namespace %s", spec_ns_name (plan->join[i]->type),
                           plan->join[i]->path);
        }
    }
  return 0;
}

/* One pass over the plan's joins of the kinds in `only`: a namespace
 * refused with EPERM is left for a later pass (its fd stays in *todo). */
static int
join_pass (const struct ns_plan *plan, const int *fds, unsigned long only, bool *todo, tr_error_t *err)
{
  for (size_t i = 0; i < plan->n_join; i++)
    {
      unsigned long flag = ns_clone_flag (plan->join[i]->type);
      if (!todo[i] || !(flag & only))
        continue;
      if (setns (fds[i], (int) flag) < 0)
        {
          if (errno == EPERM)
            continue;
          return tr_error (err, errno, "join %s namespace %s", spec_ns_name (plan->join[i]->type),
                           plan->join[i]->path);
        }
      todo[i] = false;
      /* Like unshare(CLONE_NEWUSER), become the namespace's root: we still
       * carry the host's ids, which it may not map. */
      if (flag == CLONE_NEWUSER && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
        return tr_error (err, errno, "become root in user namespace %s", plan->join[i]->path);
    }
  return 0;
}

/* runc's order (nsexec.c, join_namespaces): first every namespace but the
 * user namespace that we may join with the credentials we have (those
 * owned by the host's user namespace, say a time namespace the runtime
 * created for another container), then the user namespace, then the rest
 * (those only its CAP_SYS_ADMIN lets us into).  One still refused is an
 * error. */
int
ns_join (const struct ns_plan *plan, const int *fds, unsigned long only, tr_error_t *err)
{
  bool todo[NS_COUNT];
  for (size_t i = 0; i < plan->n_join; i++)
    todo[i] = true;
  unsigned long others = only & ~(unsigned long) CLONE_NEWUSER;
  if (join_pass (plan, fds, others, todo, err) < 0 || join_pass (plan, fds, only & CLONE_NEWUSER, todo, err) < 0
      || join_pass (plan, fds, others, todo, err) < 0)
    return -1;
  for (size_t i = 0; i < plan->n_join; i++)
    if (todo[i] && (ns_clone_flag (plan->join[i]->type) & only))
      return tr_error (err, EPERM, "join %s namespace %s", spec_ns_name (plan->join[i]->type),
                       plan->join[i]->path);
  return 0;
}

int
userns_write_map (pid_t pid, const char *file, const idmaplist *map, tr_error_t *err)
{
  char buf[4096], path[64];
  size_t used = 0;
  for (size_t i = 0; i < map->n; i++)
    {
      int n = snprintf (buf + used, sizeof buf - used, "%u %u %u\n", map->v[i].container_id, map->v[i].host_id,
                        map->v[i].size);
      if (n < 0 || (size_t) n >= sizeof buf - used)
        return tr_error_plain (err, E2BIG, "%s: too many mappings", file);
      used += (size_t) n;
    }
  snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s", path);
  /* The kernel takes the whole map in a single write. */
  if (write (fd, buf, used) != (ssize_t) used)
    return tr_error (err, errno, "write %s", path);
  return 0;
}

/* One line mapping the caller's own id: what the kernel lets an
 * unprivileged process write itself. */
static bool
maps_only_self (const idmaplist *map, unsigned id)
{
  return map->n == 1 && map->v[0].host_id == id && map->v[0].size == 1;
}

/* Run newuidmap or newgidmap (setuid helpers of the uidmap package that
 * check the ranges against /etc/subuid, /etc/subgid) for pid's map. */
static int
run_idmap_helper (const char *helper, pid_t pid, const idmaplist *map, tr_error_t *err)
{
  if (map->n > 340)
    return tr_error_plain (err, E2BIG, "%s: too many mappings", helper);
  char nums[1 + 3 * 340][16];
  char *argv[2 + 3 * 340 + 1];
  size_t n = 0;
  argv[n++] = (char *) helper;
  snprintf (nums[0], sizeof nums[0], "%d", (int) pid);
  argv[n++] = nums[0];
  for (size_t i = 0; i < map->n; i++)
    {
      unsigned v[3] = { map->v[i].container_id, map->v[i].host_id, map->v[i].size };
      for (size_t j = 0; j < 3; j++)
        {
          snprintf (nums[n - 1], sizeof nums[0], "%u", v[j]);
          argv[n] = nums[n - 1];
          n++;
        }
    }
  argv[n] = NULL;
  pid_t child;
  int r = posix_spawnp (&child, helper, NULL, NULL, argv, environ);
  if (r != 0)
    return tr_error (err, r, "%s (ids other than the user's own need the uidmap package)", helper);
  int status;
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return tr_error (err, errno, "wait for %s", helper);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return tr_error_plain (err, EPERM, "%s %d failed (status %d): are the ranges in /etc/subuid, /etc/subgid?",
                           helper, (int) pid, status);
  return 0;
}

/* An ordinary user may write one line mapping its own gid only after
 * denying setgroups in the namespace (user_namespaces(7)). */
static int
deny_setgroups (pid_t pid, tr_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/setgroups", (int) pid);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open %s", path);
  if (write (fd, "deny", 4) != 4)
    return tr_error (err, errno, "write %s", path);
  return 0;
}

static int
write_uid_map (pid_t pid, const idmaplist *map, tr_error_t *err)
{
  if (geteuid () == 0 || maps_only_self (map, (unsigned) geteuid ()))
    return userns_write_map (pid, "uid_map", map, err);
  return run_idmap_helper ("newuidmap", pid, map, err);
}

static int
write_gid_map (pid_t pid, const idmaplist *map, tr_error_t *err)
{
  if (geteuid () == 0)
    return userns_write_map (pid, "gid_map", map, err);
  if (!maps_only_self (map, (unsigned) getegid ()))
    return run_idmap_helper ("newgidmap", pid, map, err);
  if (deny_setgroups (pid, err) < 0)
    return -1;
  return userns_write_map (pid, "gid_map", map, err);
}

int
userns_write_maps (pid_t pid, const struct spec *spec, tr_error_t *err)
{
  if (write_uid_map (pid, &spec->linux_->uid_mappings, err) < 0)
    return tr_error_wrap (err, "linux.uidMappings");
  if (write_gid_map (pid, &spec->linux_->gid_mappings, err) < 0)
    return tr_error_wrap (err, "linux.gidMappings");
  return 0;
}

int
timens_write_offsets (const struct spec *spec, tr_error_t *err)
{
  const struct spec_linux *l = spec->linux_;
  char buf[256];
  int n = snprintf (buf, sizeof buf, "monotonic %lld %u\nboottime %lld %u\n",
                    (long long) l->time_monotonic.secs, l->time_monotonic.nanosecs, (long long) l->time_boottime.secs,
                    l->time_boottime.nanosecs);
  cleanup_close int fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return tr_error (err, errno, "open /proc/self/timens_offsets");
  if (write (fd, buf, (size_t) n) != n)
    return tr_error (err, errno, "linux.timeOffsets: write /proc/self/timens_offsets");
  return 0;
}
