/* `restore`: a new container of the given id from its bundle and a
 * checkpoint's images.  As runc: the state directory and the cgroup are
 * made first, then criu restores the tree with the rootfs as its root
 * (bound in criu's own mount namespace, so nothing stays on the host) and
 * the bind mounts mapped back to their sources; the restored init is
 * recorded (pid, start time) so that state, kill and delete work, running.
 * On failure nothing is left: no process, cgroup or state directory. */
#include "config.h"
#include "cgroup/cgroup.h"
#include "container/checkpoint.h"
#include "container/container.h"
#include "container/criu_maps.h"
#include "linux/criu.h"
#include "linux/procfs.h"
#include "oci-spec/descriptors_json.h"
#include "oci-spec/json_scan.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RESTORE_PID_FILE "restore.pid"
#define RESTORE_ROOT "criu-root"

struct restoring
{
  const struct restore_options *o;
  char *bundle, *config_text, *rootfs, *cgroup_path, *cgroup_top, *image, *work;
  size_t config_len;
  struct spec *spec;
  int state_dirfd, cgroup_fd, netns_fd;
  bool cgroup_made;
  pid_t pid;
  unsigned long long start_time;
};

static int
load_bundle (struct restoring *r, tr_error_t *err)
{
  r->bundle = make_absolute (r->o->bundle ? r->o->bundle : ".", err);
  if (r->bundle == NULL)
    return -1;
  cleanup_free char *config = path_join (r->bundle, "config.json");
  r->config_text = read_regular_file_at (AT_FDCWD, config, "config.json", JSON_MAX_CONFIG, &r->config_len, err);
  if (r->config_text == NULL)
    return tr_error_wrap (err, "load bundle %s", r->bundle);
  r->spec = spec_parse (r->config_text, r->config_len, err);
  if (r->spec == NULL)
    return -1;
  if (r->spec->root == NULL)
    return tr_error_plain (err, EINVAL, "config.json: root: required");
  const char *root = r->spec->root->path;
  cleanup_free char *joined = root[0] == '/' ? strdup (root) : path_join (r->bundle, root);
  r->rootfs = joined ? make_absolute (joined, err) : NULL;
  if (r->rootfs == NULL)
    return tr_error (err, ENOMEM, "root.path");
  /* A terminal's pty master comes back only through criu's RPC
   * (orphan_pts_master), which tinyrun does not use. */
  if (r->o->console_socket || (r->spec->process && r->spec->process->terminal.set && r->spec->process->terminal.v))
    return tr_error_plain (err, ENOTSUP, "process.terminal: restoring a container with a terminal needs criu's "
                                         "RPC (orphan pts master), which tinyrun does not use");
  return 0;
}

static int
make_state (struct restoring *r, tr_error_t *err)
{
  if (r->o->systemd_cgroup)
    return tr_error_plain (err, ENOTSUP, "--systemd-cgroup: restore makes cgroupfs cgroups only");
  const struct spec_linux *l = r->spec->linux_;
  r->cgroup_path = cgroup_resolve (CGROUP_MANAGER_CGROUPFS, l ? l->cgroups_path : NULL, r->o->id, err);
  if (r->cgroup_path == NULL)
    return -1;
  r->state_dirfd = state_dir_create (r->o->root, r->o->id, err);
  if (r->state_dirfd < 0)
    return -1;
  if (write_file_atomic_at (r->state_dirfd, STATE_CONFIG_FILE, r->config_text, r->config_len, 0600, err) < 0)
    return -1;
  if (cgroup_create (CGROUP_MANAGER_CGROUPFS, r->cgroup_path, l ? l->resources : NULL, &r->cgroup_fd,
                     &r->cgroup_top, err) < 0)
    return -1;
  r->cgroup_made = true;
  if (mkdirat (r->state_dirfd, RESTORE_ROOT, 0700) < 0)
    return tr_error (err, errno, "mkdir %s", RESTORE_ROOT);
  return 0;
}

/* The init's old stdio pipes become restore's own fds 0-2. */
static int
inherit_pipes (struct restoring *r, struct criu_maps *m, tr_error_t *err)
{
  cleanup_close int image_fd = open (r->image, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (image_fd < 0)
    return tr_error (err, errno, "open %s", r->image);
  size_t len;
  cleanup_free char *text = read_file_at (image_fd, DESCRIPTORS_FILE, &len, err);
  char *fds[DESCRIPTORS_N];
  if (text == NULL || descriptors_json_decode (text, len, fds, err) < 0)
    return tr_error_wrap (err, "%s", r->image);
  int ret = 0;
  for (int i = 0; i < DESCRIPTORS_N; i++)
    {
      if (ret == 0 && fds[i] && strncmp (fds[i], "pipe:", 5) == 0)
        ret = criu_maps_inherit (m, i, fds[i], err);
      free (fds[i]);
    }
  return ret;
}

/* A network namespace given by path is handed to criu as extRootNetNS. */
static int
inherit_netns (struct restoring *r, struct criu_maps *m, tr_error_t *err)
{
  const struct spec_namespace *ns = spec_find_namespace (r->spec, NS_NETWORK);
  if (ns == NULL || ns->path == NULL)
    return 0;
  r->netns_fd = open (ns->path, O_RDONLY | O_CLOEXEC);
  if (r->netns_fd < 0)
    return tr_error (err, errno, "linux.namespaces: network %s", ns->path);
  return criu_maps_inherit (m, r->netns_fd, "extRootNetNS", err);
}

static int
run_criu (struct restoring *r, tr_error_t *err)
{
  cleanup_criu_maps struct criu_maps maps = { 0 };
  if (criu_maps_mounts (&maps, r->spec, r->bundle, r->cgroup_path, 0, true, err) < 0
      || inherit_pipes (r, &maps, err) < 0 || inherit_netns (r, &maps, err) < 0)
    return -1;
  cleanup_free char *dir = path_join (r->o->root, r->o->id);
  cleanup_free char *root = dir ? path_join (dir, RESTORE_ROOT) : NULL;
  cleanup_free char *pid_file = dir ? path_join (dir, RESTORE_PID_FILE) : NULL;
  if (pid_file == NULL || root == NULL)
    return tr_error (err, ENOMEM, "restore");
  struct criu_request req = {
    .action = CRIU_RESTORE,
    .binary = r->o->c.criu,
    .image_dir = r->image,
    .work_dir = r->work,
    .log_file = "restore.log",
    .root = root,
    .pid_file = pid_file,
    .cgroup_root = r->cgroup_path,
    .manage_cgroups_mode = r->o->c.manage_cgroups_mode,
    .empty_ns = r->o->c.empty_ns,
    .lsm_profile = r->o->lsm_profile,
    .lsm_mount_context = r->o->lsm_mount_context,
    .flags = criu_flags_of (&r->o->c),
    .externals = maps.ext,
    .n_externals = maps.n_ext,
    .inherits = maps.inh,
    .n_inherits = maps.n_inh,
  };
  int keep[] = { r->netns_fd };
  struct criu_spawn how = {
    .new_mount_ns = true, .bind_root = r->rootfs, .keep_fds = keep, .n_keep_fds = r->netns_fd >= 0,
  };
  if (criu_run (&req, &how, err) < 0)
    return tr_error_wrap (err, "criu restore (log %s/restore.log)", r->work);
  return 0;
}

static int
read_pid (struct restoring *r, tr_error_t *err)
{
  size_t len;
  cleanup_free char *text = read_file_at (r->state_dirfd, RESTORE_PID_FILE, &len, err);
  if (text == NULL)
    return tr_error_wrap (err, "criu's pid file");
  char *end;
  long pid = strtol (text, &end, 10);
  if (pid <= 0 || (*end && *end != '\n'))
    return tr_error_plain (err, EINVAL, "criu's pid file: \"%.20s\" is no pid", text);
  r->pid = (pid_t) pid;
  unlinkat (r->state_dirfd, RESTORE_PID_FILE, 0);
  unlinkat (r->state_dirfd, RESTORE_ROOT, AT_REMOVEDIR);
  return proc_pid_stat (r->pid, &r->start_time, NULL, err);
}

static int
record (struct restoring *r, tr_error_t *err)
{
  cleanup_free char *created = rfc3339_now ();
  struct container_state st = {
    .id = (char *) r->o->id,
    .pid = r->pid,
    .start_time = r->start_time,
    .bundle = r->bundle,
    .rootfs = r->rootfs,
    .created = created,
    .owner = "",
    .annotations = r->spec->annotations,
    .cgroup_path = r->cgroup_path,
    .cgroup_top = r->cgroup_top ? r->cgroup_top : (char *) "",
    .pid_ns_shared = spec_find_namespace (r->spec, NS_PID) == NULL,
    .mount_ns_shared = spec_find_namespace (r->spec, NS_MOUNT) == NULL,
  };
  if (state_save (r->state_dirfd, &st, err) < 0)
    return -1;
  return r->o->pid_file ? write_pid_file (r->o->pid_file, r->pid, err) : 0;
}

static int
restore_steps (struct restoring *r, tr_error_t *err)
{
  if (container_id_validate (r->o->id, err) < 0 || load_bundle (r, err) < 0)
    return -1;
  if (spec_find_namespace (r->spec, NS_MOUNT) == NULL)
    return tr_error_plain (err, ENOTSUP, "linux.namespaces: restore needs a mount namespace");
  if (criu_dirs (&r->o->c, &r->image, &r->work, err) < 0 || make_state (r, err) < 0 || run_criu (r, err) < 0)
    return -1;
  if (read_pid (r, err) < 0)
    return -1;
  return record (r, err);
}

static void
rollback (struct restoring *r)
{
  tr_error_t ignored = NULL;
  if (r->pid > 0)
    {
      kill (r->pid, SIGKILL);
      waitpid (r->pid, NULL, 0);
    }
  if (r->cgroup_made && cgroup_destroy (CGROUP_MANAGER_CGROUPFS, r->cgroup_path, r->cgroup_top, &ignored) < 0)
    tr_error_ignore (&ignored, "rollback: remove cgroup");
  if (r->state_dirfd >= 0)
    {
      unlinkat (r->state_dirfd, RESTORE_ROOT, AT_REMOVEDIR);
      if (state_dir_remove (r->o->root, r->o->id, r->state_dirfd, &ignored) < 0)
        tr_error_ignore (&ignored, "rollback: remove state");
    }
  tr_error_free (&ignored);
}

static void
release (struct restoring *r)
{
  int *fds[] = { &r->state_dirfd, &r->cgroup_fd, &r->netns_fd };
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      close (steal_fd (fds[i]));
  char *strs[] = { r->bundle, r->config_text, r->rootfs, r->cgroup_path, r->cgroup_top, r->image, r->work };
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    free (strs[i]);
  spec_free (r->spec);
}

/* In the foreground: the init is our child (criu's --restore-sibling). */
static int
wait_init (const struct restore_options *o, pid_t pid, int *exit_status, tr_error_t *err)
{
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return tr_error (err, errno, "wait for the restored init %d", (int) pid);
  *exit_status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  return container_delete (o->root, o->id, true, err);
}

int
container_restore (const struct restore_options *o, int *exit_status, tr_error_t *err)
{
  struct restoring r = { .o = o, .state_dirfd = -1, .cgroup_fd = -1, .netns_fd = -1 };
  *exit_status = 0;
  int ret = restore_steps (&r, err);
  if (ret < 0)
    rollback (&r);
  pid_t pid = r.pid;
  release (&r);
  if (ret < 0 || o->detach)
    return ret;
  return wait_init (o, pid, exit_status, err);
}
