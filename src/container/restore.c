/* `restore`: a new container of the given id from its bundle and a
 * checkpoint's images.  As runc: the state directory and the cgroup are
 * made first, then criu restores the tree with the rootfs as its root
 * (bound in criu's own mount namespace, so nothing stays on the host) and
 * the bind mounts mapped back to their sources; the restored init is
 * recorded (pid, start time) so that state, kill and delete work, running.
 * A terminal is a new pty whose slave criu gives the init in place of the
 * checkpointed one (criu_maps.h); its master goes to --console-socket as
 * with create (or, in the foreground without one, is relayed as by run).
 * Without --detach, restore waits for the init like run, relaying
 * signals, and deletes the container.  On failure nothing is left: no
 * process, cgroup or state directory. */
#include "config.h"
#include "cgroup/cgroup.h"
#include "container/checkpoint.h"
#include "container/container.h"
#include "container/criu_maps.h"
#include "container/supervise.h"
#include "linux/criu.h"
#include "linux/procfs.h"
#include "linux/terminal.h"
#include "linux/tty_relay.h"
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
  int state_dirfd, cgroup_fd, netns_fd, console_fd;
  struct pty_pair pty;
  bool cgroup_made, scope_started;
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
  return 0;
}

static bool
has_terminal (const struct restoring *r)
{
  return r->spec->process && r->spec->process->terminal.set && r->spec->process->terminal.v;
}

/* As create: a terminal needs a console socket to send its master to
 * (unless restore relays it in the foreground), and only a terminal. */
static int
open_console (struct restoring *r, tr_error_t *err)
{
  if (has_terminal (r) && r->o->console_socket == NULL && r->o->detach)
    return tr_error_plain (err, EINVAL, "process.terminal: a terminal needs --console-socket");
  if (!has_terminal (r) && r->o->console_socket)
    return tr_error_plain (err, EINVAL, "--console-socket: only valid with process.terminal set to true");
  if (r->o->console_socket == NULL)
    return 0;
  r->console_fd = terminal_connect_socket (r->o->console_socket, err);
  return r->console_fd < 0 ? -1 : 0;
}

/* The new pty: its slave stands for the checkpointed tty. */
static int
inherit_terminal (struct restoring *r, struct criu_maps *m, tr_error_t *err)
{
  if (!has_terminal (r))
    return 0;
  cleanup_close int image_fd = open (r->image, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (image_fd < 0)
    return tr_error (err, errno, "open %s", r->image);
  if (terminal_open_pair (r->spec->process, &r->pty, err) < 0)
    return tr_error_wrap (err, "process.terminal");
  return criu_maps_terminal_restore (m, image_fd, r->pty.slave, r->pty.path, err);
}

static int
make_state (struct restoring *r, tr_error_t *err)
{
  enum cgroup_manager m = cgroup_manager_of (r->o->systemd_cgroup);
  const struct spec_linux *l = r->spec->linux_;
  r->cgroup_path = cgroup_resolve (m, l ? l->cgroups_path : NULL, r->o->id, err);
  if (r->cgroup_path == NULL)
    return -1;
  r->state_dirfd = state_dir_create (r->o->root, r->o->id, err);
  if (r->state_dirfd < 0)
    return -1;
  if (write_file_atomic_at (r->state_dirfd, STATE_CONFIG_FILE, r->config_text, r->config_len, 0600, err) < 0)
    return -1;
  if (cgroup_create (m, r->cgroup_path, l ? l->resources : NULL, false, &r->cgroup_fd, &r->cgroup_top, err) < 0)
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
      || inherit_pipes (r, &maps, err) < 0 || inherit_netns (r, &maps, err) < 0
      || inherit_terminal (r, &maps, err) < 0)
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
  int keep[2], n = 0;
  if (r->netns_fd >= 0)
    keep[n++] = r->netns_fd;
  if (r->pty.slave >= 0)
    keep[n++] = r->pty.slave;
  struct criu_spawn how = {
    .new_mount_ns = true, .bind_root = r->rootfs, .keep_fds = keep, .n_keep_fds = (size_t) n,
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

/* --systemd-cgroup: criu put the tree into the scope's cgroup (making its
 * directory); now systemd starts the scope with the init in it and the
 * resources as its properties, as create does once the init exists. */
static int
enter_scope (struct restoring *r, tr_error_t *err)
{
  if (!r->o->systemd_cgroup)
    return 0;
  const struct spec_linux *l = r->spec->linux_;
  if (cgroup_enter_init (CGROUP_MANAGER_SYSTEMD, r->cgroup_path, l ? l->resources : NULL, r->pid, err) < 0)
    return tr_error_wrap (err, "--systemd-cgroup: start the scope");
  r->scope_started = true;
  return 0;
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
    .systemd_cgroup = r->o->systemd_cgroup,
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
  if (open_console (r, err) < 0 || criu_dirs (&r->o->c, &r->image, &r->work, err) < 0
      || criu_restore_mountpoints (r->spec, r->bundle, r->rootfs, err) < 0)
    return -1;
  if (make_state (r, err) < 0 || run_criu (r, err) < 0 || read_pid (r, err) < 0 || enter_scope (r, err) < 0
      || record (r, err) < 0)
    return -1;
  if (r->console_fd >= 0 && terminal_send_master (r->console_fd, r->pty.master, err) < 0)
    return -1;
  return 0;
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
  /* Without its scope, the cgroup is the directory criu made, if any. */
  bool scope = r->o->systemd_cgroup && r->scope_started;
  const char *top = r->o->systemd_cgroup && !scope ? r->cgroup_path : r->cgroup_top;
  if (r->cgroup_made && cgroup_destroy (cgroup_manager_of (scope), r->cgroup_path, top, &ignored) < 0)
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
  int *fds[] = { &r->state_dirfd, &r->cgroup_fd, &r->netns_fd, &r->console_fd, &r->pty.master, &r->pty.slave };
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      close (steal_fd (fds[i]));
  char *strs[] = { r->bundle, r->config_text, r->rootfs, r->cgroup_path, r->cgroup_top, r->image, r->work };
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    free (strs[i]);
  spec_free (r->spec);
}

/* In the foreground: the init is our child (criu's --restore-sibling);
 * as with run, signals are relayed to it (and the terminal without a
 * console socket), then the container is deleted. */
static int
foreground (const struct restore_options *o, pid_t pid, struct supervisor *sup, int master, int *exit_status,
            tr_error_t *err)
{
  cleanup_tty_relay struct tty_relay relay = TTY_RELAY_INIT;
  if ((master >= 0 && terminal_clear_onlcr (master, err) < 0) || tty_relay_start (&relay, master, err) < 0)
    {
      if (relay.master < 0 && master >= 0)
        close (master);
      tr_error_t ignored = NULL;
      container_delete (o->root, o->id, true, &ignored);
      tr_error_free (&ignored);
      return -1;
    }
  *exit_status = supervisor_wait (sup, pid, &relay);
  tty_relay_stop (&relay);
  return container_delete (o->root, o->id, true, err);
}

int
container_restore (const struct restore_options *o, int *exit_status, tr_error_t *err)
{
  struct restoring r = {
    .o = o, .state_dirfd = -1, .cgroup_fd = -1, .netns_fd = -1, .console_fd = -1, .pty = { -1, -1, "" },
  };
  cleanup_supervisor struct supervisor sup = SUPERVISOR_INIT;
  *exit_status = 0;
  /* Signals are held from before the init exists, as with run. */
  int ret = o->detach ? 0 : supervisor_start (&sup, err);
  if (ret == 0)
    ret = restore_steps (&r, err);
  if (ret < 0)
    rollback (&r);
  pid_t pid = r.pid;
  int master = r.console_fd < 0 ? steal_fd (&r.pty.master) : -1;
  release (&r);
  if (ret < 0 || o->detach)
    {
      if (master >= 0)
        close (master);
      return ret;
    }
  return foreground (o, pid, &sup, master, exit_status, err);
}
