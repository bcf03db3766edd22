/* `checkpoint`: criu dumps the init's process tree (container/checkpoint.h).
 * Like runc, a container that is not left running (--leave-running,
 * --pre-dump) is destroyed afterwards: criu has killed its processes, and
 * its cgroup and state go as with `delete`. */
#include "config.h"
#include "cgroup/cgroup.h"
#include "container/checkpoint.h"
#include "container/entry.h"
#include "container/container.h"
#include "container/criu_maps.h"
#include "linux/criu.h"
#include "oci-spec/descriptors_json.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* descriptors.json: what fds 0-2 of the init are, for restore. */
static int
save_descriptors (int image_fd, pid_t pid, tr_error_t *err)
{
  char links[DESCRIPTORS_N][4096];
  char *fds[DESCRIPTORS_N];
  for (int i = 0; i < DESCRIPTORS_N; i++)
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/fd/%d", (int) pid, i);
      ssize_t n = readlink (path, links[i], sizeof links[i] - 1);
      links[i][n < 0 ? 0 : n] = '\0';
      fds[i] = links[i];
    }
  size_t len;
  cleanup_free char *json = descriptors_json_encode (fds, &len, err);
  if (json == NULL)
    return -1;
  return write_file_atomic_at (image_fd, DESCRIPTORS_FILE, json, len, 0600, err);
}

/* A network namespace given by path is the caller's: criu names it by
 * its inode, and restore hands the namespace back (extRootNetNS). */
static int
external_netns (struct criu_maps *m, const struct spec *spec, tr_error_t *err)
{
  const struct spec_namespace *ns = spec_find_namespace (spec, NS_NETWORK);
  if (ns == NULL || ns->path == NULL)
    return 0;
  struct stat st;
  if (stat (ns->path, &st) < 0)
    return tr_error (err, errno, "linux.namespaces: network %s", ns->path);
  char ino[32];
  snprintf (ino, sizeof ino, "%llu", (unsigned long long) st.st_ino);
  return criu_maps_external (m, "net", ino, "extRootNetNS", err);
}

/* As runc: criu freezes the tree with the container's freezer (which a
 * paused container's already is: ptrace alone would wait on it forever),
 * and after a dump that leaves it running puts the freezer back as it
 * was, so a paused container stays paused. */
static char *
freezer_dir (const struct container_state *st)
{
  char *dir = cgroup_freezer_dir (st->cgroup_path);
  if (dir && access (dir, F_OK) < 0)
    {
      free (dir);
      return NULL;
    }
  return dir;
}

static bool
has_terminal (const struct spec *spec)
{
  return spec->process && spec->process->terminal.set && spec->process->terminal.v;
}

static struct spec *
saved_spec (int dirfd, tr_error_t *err)
{
  size_t len;
  cleanup_free char *text = read_file_at (dirfd, STATE_CONFIG_FILE, &len, err);
  return text ? spec_parse (text, len, err) : NULL;
}

static int
dump (const struct checkpoint_options *o, int dirfd, const struct container_state *st, tr_error_t *err)
{
  cleanup_spec struct spec *spec = saved_spec (dirfd, err);
  cleanup_free char *image = NULL, *work = NULL;
  if (spec == NULL || criu_dirs (&o->c, &image, &work, err) < 0)
    return -1;
  cleanup_criu_maps struct criu_maps maps = { 0 };
  if (criu_maps_mounts (&maps, spec, st->bundle, st->cgroup_path, st->pid, false, err) < 0
      || external_netns (&maps, spec, err) < 0)
    return -1;
  cleanup_close int image_fd = open (image, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (image_fd < 0)
    return tr_error (err, errno, "open %s", image);
  if (save_descriptors (image_fd, st->pid, err) < 0
      || (has_terminal (spec) && criu_maps_terminal_dump (&maps, st->pid, image_fd, err) < 0))
    return -1;
  cleanup_free char *freezer = freezer_dir (st);
  unsigned flags = criu_flags_of (&o->c) | (o->leave_running ? CRIU_LEAVE_RUNNING : 0)
                   | (o->pre_dump || o->parent_path ? CRIU_TRACK_MEM : 0);
  struct criu_request r = {
    .action = o->pre_dump ? CRIU_PRE_DUMP : CRIU_DUMP,
    .binary = o->c.criu,
    .pid = st->pid,
    .image_dir = image,
    .work_dir = work,
    .log_file = "dump.log",
    .parent_dir = o->parent_path,
    .freeze_cgroup = freezer,
    .root = st->rootfs,
    .manage_cgroups_mode = o->c.manage_cgroups_mode,
    .empty_ns = o->c.empty_ns,
    .flags = flags,
    .externals = maps.ext,
    .n_externals = maps.n_ext,
  };
  struct criu_spawn how = { 0 };
  if (criu_run (&r, &how, err) < 0)
    return tr_error_wrap (err, "criu %s (log %s/dump.log)", criu_action_name (r.action), work);
  return 0;
}

int
container_checkpoint (const struct checkpoint_options *o, tr_error_t *err)
{
  cleanup_container_state struct container_state st = { 0 };
  enum container_status status;
  cleanup_close int dirfd = container_open (o->root, o->id, true, &st, &status, err);
  /* Its delete stops the scope over D-Bus: decided before the dump. */
  if (dirfd < 0 || container_systemd_reachable (st.systemd_cgroup, err) < 0)
    return -1;
  if (status != STATUS_RUNNING && status != STATUS_PAUSED)
    return tr_error_plain (err, EINVAL, "container is %s, not running", container_status_name (status));
  if (dump (o, dirfd, &st, err) < 0)
    return -1;
  if (o->leave_running || o->pre_dump)
    return 0;
  log_debug ("checkpoint %s: dumped, destroying the container", o->id);
  /* The lock goes with the fd; delete takes it again. */
  close (steal_fd (&dirfd));
  return container_delete (o->root, o->id, true, err);
}
