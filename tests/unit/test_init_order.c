/* The init's order, without root: the whole of create_steps[] (init/init.c)
 * and process_finalize_and_exec (init/process.c) run in a forked child
 * whose kernel calls (util/syscalls.h's tr_sys) and mechanisms
 * (init/init_ops.h) are fakes that record their names; the test plays the
 * runtime's side of the sync channel (init/sync.h). */
#include "unit.h"
#include "init/init.h"
#include "linux/cpu_pin.h"
#include "init/init_ops.h"
#include "init/sync.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Shared with the forked init, which appends to it. */
struct record
{
  char text[8192];
};
static struct record *rec;

static void
note (const char *fmt, ...)
{
  size_t used = strlen (rec->text);
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (rec->text + used, sizeof rec->text - used, fmt, ap);
  va_end (ap);
  used = strlen (rec->text);
  snprintf (rec->text + used, sizeof rec->text - used, " ");
}

/* ---- the fake kernel ------------------------------------------------ */

static int
f_unshare (int flags)
{
  note (flags == CLONE_NEWCGROUP ? "unshare(cgroup)" : "unshare(%#x)", flags);
  return 0;
}

static int
f_setns (int fd, int type)
{
  note ("setns(%d,%#x)", fd, type);
  return 0;
}

static int
f_sethostname (const char *name, size_t len)
{
  note ("sethostname(%.*s)", (int) len, name);
  return 0;
}

static int
f_setdomainname (const char *name, size_t len)
{
  note ("setdomainname(%.*s)", (int) len, name);
  return 0;
}

static int
f_keyring (const char *name)
{
  (void) name;
  note ("keyring");
  return 0;
}

static int
f_setgroups (size_t n, const gid_t *groups)
{
  (void) groups;
  note ("setgroups(%zu)", n);
  return 0;
}

static int
f_setresgid (gid_t r, gid_t e, gid_t s)
{
  (void) e, (void) s;
  note ("setresgid(%u)", r);
  return 0;
}

static int
f_setresuid (uid_t r, uid_t e, uid_t s)
{
  (void) e, (void) s;
  note ("setresuid(%u)", r);
  return 0;
}

static int
f_prctl (int option, unsigned long arg)
{
  if (option == PR_SET_PDEATHSIG)
    {
      note ("pdeathsig(%lu)", arg);
      return 0;
    }
  note (option == PR_SET_KEEPCAPS ? "keepcaps" : option == PR_SET_NO_NEW_PRIVS ? "no_new_privs" : "prctl(%d)",
        option);
  return 0;
}

static int
f_close_range (unsigned first, unsigned last, unsigned flags)
{
  (void) first, (void) last, (void) flags;
  note ("close_range");
  return 0;
}

static int
f_execve (const char *path, char *const argv[], char *const envp[])
{
  (void) argv, (void) envp;
  note ("execve(%s)", path);
  _exit (0);
}

static int
f_setsid (void)
{
  note ("setsid");
  return 0;
}

static const struct tr_sys fake_sys = {
  .unshare = f_unshare,
  .setns = f_setns,
  .sethostname = f_sethostname,
  .setdomainname = f_setdomainname,
  .join_session_keyring = f_keyring,
  .setgroups = f_setgroups,
  .setresgid = f_setresgid,
  .setresuid = f_setresuid,
  .prctl = f_prctl,
  .close_range = f_close_range,
  .setsid = f_setsid,
  .execve = f_execve,
};

/* ---- the fake mechanisms ---------------------------------------------- */

static int
f_self_protect (tr_error_t *err)
{
  (void) err;
  note ("self_protect");
  return 0;
}

static int
f_cgroup_join_self (const struct cgroup_join *j, tr_error_t *err)
{
  (void) err;
  note ("cgroup_join(%zu)", j->n);
  return 0;
}

static int
f_ns_join (const struct ns_plan *plan, const int *fds, unsigned long only, tr_error_t *err)
{
  (void) plan, (void) fds, (void) only, (void) err;
  note ("ns_join");
  return 0;
}

static int
f_loopback_up (tr_error_t *err)
{
  (void) err;
  note ("loopback_up");
  return 0;
}

static int
f_rootfs_prepare (const struct spec *spec, const char *rootfs, enum rootfs_switch how, tr_error_t *err)
{
  (void) spec, (void) rootfs, (void) how;
  note ("rootfs_prepare");
  int fd = open ("/", O_PATH | O_CLOEXEC);
  return fd < 0 ? tr_error (err, errno, "open /") : fd;
}

static int
f_proc_destinations (const struct spec *spec, int rootfd, tr_error_t *err)
{
  (void) spec, (void) rootfd, (void) err;
  note ("proc_destinations");
  return 0;
}

static bool fail_mounts;

static int
f_mounts_apply (const struct spec *spec, const struct mount_context *mc, tr_error_t *err)
{
  (void) spec, (void) mc;
  note ("mounts");
  if (fail_mounts)
    return tr_error_plain (err, EPERM, "mounts[0] (/proc): refused by the test");
  return 0;
}

static int
f_devices_create (const struct spec *spec, int rootfd, bool user_ns, bool default_devices, tr_error_t *err)
{
  (void) spec, (void) rootfd, (void) user_ns, (void) default_devices, (void) err;
  note ("devices");
  /* What an init logs travels to the runtime (see test init_warning_*). */
  log_warning ("a warning from the init");
  return 0;
}

static int
f_mkdir_all_in_root (int rootfd, const char *path, mode_t mode, tr_error_t *err)
{
  (void) rootfd, (void) mode;
  note ("cwd(%s)", path);
  int fd = open ("/", O_PATH | O_CLOEXEC);
  return fd < 0 ? tr_error (err, errno, "open /") : fd;
}

static int
f_terminal_setup (int rootfd, const struct spec_process *p, bool bind_console, tr_error_t *err)
{
  (void) rootfd, (void) p, (void) bind_console;
  note ("terminal");
  return tr_error_plain (err, ENOTTY, "no terminal in the unit test");
}

static int
f_hooks_run (const hooklist *hooks, const char *phase, const char *state_json, tr_error_t *err)
{
  (void) hooks, (void) state_json, (void) err;
  note ("hooks(%s)", phase);
  return 0;
}

static int
f_rootfs_pivot (const char *rootfs, int rootfd, enum rootfs_switch how, tr_error_t *err)
{
  (void) rootfs, (void) rootfd, (void) err;
  note (how == ROOTFS_PIVOT ? "pivot_root" : "rootfs_switch(%d)", (int) how);
  return 0;
}

#define FAKE_SPEC(fn, name)                                   \
  static int fn (const struct spec *spec, tr_error_t *err)   \
  {                                                          \
    (void) spec, (void) err;                                 \
    note (name);                                             \
    return 0;                                                \
  }
FAKE_SPEC (f_sysctl_apply, "sysctl")

#define FAKE_LIST(fn, name)                                  \
  static int fn (const strlist *paths, tr_error_t *err)      \
  {                                                          \
    (void) err;                                              \
    note (name "(%zu)", paths->n);                           \
    return 0;                                                \
  }
FAKE_LIST (f_paths_mask, "masked_paths")
FAKE_LIST (f_paths_make_readonly, "readonly_paths")

static int
f_rootfs_finish (const struct spec *spec, enum rootfs_switch how, tr_error_t *err)
{
  (void) spec, (void) how, (void) err;
  note ("rootfs_finish");
  return 0;
}

#define FAKE_PROCESS(fn, name)                                      \
  static int fn (const struct spec_process *p, tr_error_t *err)    \
  {                                                                \
    (void) p, (void) err;                                          \
    note (name);                                                   \
    return 0;                                                      \
  }
FAKE_PROCESS (f_rlimits, "rlimits")
FAKE_PROCESS (f_oom_score, "oom_score")
FAKE_PROCESS (f_scheduling, "scheduling")
FAKE_PROCESS (f_lsm_apply_exec_labels, "lsm_labels")

static int
f_affinity (const struct spec_process *p, bool final, tr_error_t *err)
{
  (void) p, (void) err;
  note (p == NULL ? "affinity(reset)" : final ? "affinity(final)" : "affinity(initial)");
  return 0;
}

/* Compiling is plain userspace (libseccomp): the real one runs. */
static int
f_seccomp_compile (const struct spec_seccomp *s, struct seccomp_program **out, tr_error_t *err)
{
  note ("seccomp_compile");
  return seccomp_compile (s, out, err);
}

static int
f_seccomp_install (struct seccomp_program *prog, int *notify_fd, tr_error_t *err)
{
  (void) prog, (void) err;
  *notify_fd = -1;
  note ("seccomp_load");
  return 0;
}

#define FAKE_CAPS(fn, name)                                             \
  static int fn (const struct spec_capabilities *c, tr_error_t *err)   \
  {                                                                    \
    (void) c, (void) err;                                              \
    note (name);                                                       \
    return 0;                                                          \
  }
FAKE_CAPS (f_caps_set_bounding, "bounding_set")
FAKE_CAPS (f_caps_apply, "capset+ambient")

static int
f_personality_apply (const struct spec_personality *pers, tr_error_t *err)
{
  (void) pers, (void) err;
  note ("personality");
  return 0;
}

static int
f_mempolicy_apply (const struct spec_memory_policy *mp, tr_error_t *err)
{
  (void) mp, (void) err;
  note ("mempolicy");
  return 0;
}

static int
f_dev_null_reopen_stdio (tr_error_t *err)
{
  (void) err;
  note ("dev_null");
  return 0;
}

static const struct init_ops fake_ops = {
  .self_protect = f_self_protect,
  .cgroup_join_self = f_cgroup_join_self,
  .ns_join = f_ns_join,
  .loopback_up = f_loopback_up,
  .rootfs_prepare = f_rootfs_prepare,
  .proc_destinations = f_proc_destinations,
  .mounts_apply = f_mounts_apply,
  .devices_create = f_devices_create,
  .dev_null_reopen_stdio = f_dev_null_reopen_stdio,
  .mkdir_all_in_root = f_mkdir_all_in_root,
  .terminal_setup = f_terminal_setup,
  .hooks_run = f_hooks_run,
  .rootfs_pivot = f_rootfs_pivot,
  .sysctl_apply = f_sysctl_apply,
  .paths_mask = f_paths_mask,
  .paths_make_readonly = f_paths_make_readonly,
  .rootfs_finish = f_rootfs_finish,
  .rlimits = f_rlimits,
  .oom_score = f_oom_score,
  .scheduling = f_scheduling,
  .affinity = f_affinity,
  .seccomp_compile = f_seccomp_compile,
  .seccomp_install = f_seccomp_install,
  .caps_set_bounding = f_caps_set_bounding,
  .caps_apply = f_caps_apply,
  .lsm_apply_exec_labels = f_lsm_apply_exec_labels,
  .personality_apply = f_personality_apply,
  .mempolicy_apply = f_mempolicy_apply,
};

/* ---- the runtime's side ------------------------------------------------- */

/* The init is born on the runtime's CPU (linux/cpu_pin.h). */
static bool born_pinned;
/* The runtime starts the init itself (`run`): SYNC_HANDOVER's value. */
static bool start_follows;

static char parent_log[4096];

static bool
capture_log (enum log_level level, const char *msg, void *data)
{
  (void) data;
  size_t used = strlen (parent_log);
  snprintf (parent_log + used, sizeof parent_log - used, "%d:%s\n", (int) level, msg);
  return true;
}

/* The parent's half of sync.h, as container/create.c runs it; the init's
 * error, if any, lands in *err. */
static int
drive (int sock, int fifo, tr_error_t *err)
{
  int pty = -1;
  if (sync_send (sock, SYNC_PARENT_READY, 4242, -1, err) < 0
      || sync_expect (sock, SYNC_CREATE_RUNTIME, NULL, NULL, err) < 0)
    return -1;
  note ("[runtime:createRuntime]");
  if (sync_send (sock, SYNC_CREATE_RUNTIME_DONE, 0, -1, err) < 0
      || sync_expect (sock, SYNC_READY, NULL, &pty, err) < 0)
    return -1;
  note ("[runtime:ready]");
  if (pty >= 0)
    close (pty);
  if (sync_send (sock, SYNC_HANDOVER, start_follows, -1, err) < 0
      || sync_expect (sock, SYNC_HANDOVER_DONE, NULL, NULL, err) < 0)
    return -1;
  note ("[start]");
  return write (fifo, "x", 1) == 1 ? 0 : tr_error (err, errno, "write fifo");
}

/* The v1 cgroups the init is given to join itself (none unless a test
 * sets it). */
static struct cgroup_join *given_join;

/* Runs the init on config.json `config` with the fakes; returns what was
 * recorded (the init's exit status in *status). */
static const char *
run_init (const char *config, int *status, tr_error_t *err)
{
  struct spec *spec = spec_parse (config, strlen (config), err);
  struct ns_plan plan;
  int sv[2], fifo[2];
  if (spec == NULL || ns_plan_build (spec, &plan, err) < 0
      || socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 || pipe2 (fifo, O_CLOEXEC) < 0)
    return NULL;
  if (rec == NULL)
    rec = mmap (NULL, sizeof *rec, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  rec->text[0] = '\0';
  parent_log[0] = '\0';
  struct init_context ctx = {
    .id = "order", .spec = spec, .rootfs = "/nonexistent/rootfs", .bundle = "/nonexistent",
    .plan = &plan, .sync_fd = sv[1], .fifo_fd = fifo[0],
    .start_error_fd = -1, .cgroup_join = given_join, .netns_ahead_fd = -1,
  };
  fflush (NULL);
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (sv[0]);
      close (fifo[1]);
      tr_sys = &fake_sys;
      init_ops = &fake_ops;
      if (born_pinned)
        cpu_pin_hold ();
      init_main (&ctx);
    }
  close (sv[1]);
  close (fifo[0]);
  log_set_sink (capture_log, NULL);
  drive (sv[0], fifo[1], err);
  log_set_sink (NULL, NULL);
  close (sv[0]);
  close (fifo[1]);
  waitpid (pid, status, 0);
  spec_free (spec);
  return rec->text;
}

#define CONFIG_HEAD                                                                                           \
  "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, \"hostname\": \"box\","                      \
  "\"hooks\": {\"createContainer\": [{\"path\": \"/bin/true\"}], \"startContainer\": [{\"path\": \"/bin/true\"}]}," \
  "\"process\": {\"args\": [\"/bin/sh\"], \"cwd\": \"/\", \"env\": [\"PATH=/bin\", \"HOME=/\"],"               \
  "\"user\": {\"uid\": 1000, \"gid\": 100, \"additionalGids\": [5]},"                                         \
  "\"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"]},"
#define CONFIG_LINUX                                                                                          \
  "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"},"             \
  "{\"type\": \"ipc\"}, {\"type\": \"network\"}, {\"type\": \"cgroup\"}],"                                   \
  "\"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"],"                                   \
  "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\","                                                       \
  "\"syscalls\": [{\"names\": [\"reboot\"], \"action\": \"SCMP_ACT_ERRNO\"}]}}}"

/* The order that init.c's header comment and process.h describe: the
 * steps of create_steps[], the runtime's hooks between them, then, after
 * `start`, the credentials in the order of STYLE.md §8 and seccomp right
 * before execve. */
static const char expected_with_nnp[] =
  "self_protect pdeathsig(9) affinity(reset) ns_join loopback_up unshare(cgroup) sethostname(box) keyring "
  "rootfs_prepare proc_destinations mounts devices cwd(/) setsid [runtime:createRuntime] hooks(createContainer) "
  "pivot_root dev_null sysctl masked_paths(1) readonly_paths(1) rootfs_finish rlimits oom_score mempolicy "
  "seccomp_compile [runtime:ready] pdeathsig(0) [start] hooks(startContainer) "
  "close_range rlimits oom_score scheduling "
  "bounding_set keepcaps setgroups(1) setresgid(100) setresuid(1000) capset+ambient "
  "no_new_privs lsm_labels personality seccomp_load execve(/bin/sh) ";

TEST (init_order_whole_create)
{
  tr_error_t err = NULL;
  int status = -1;
  const char *got = run_init (CONFIG_HEAD "\"noNewPrivileges\": true}," CONFIG_LINUX, &status, &err);
  CHECK (err == NULL);
  if (err)
    fprintf (stderr, "  %s\n", err->msg);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  CHECK_STR (got, expected_with_nnp);
  tr_error_free (&err);
}

/* Given its v1 cgroups' tasks files, the init joins them itself right
 * after protecting the runtime's binary, before it waits for the runtime
 * and before anything of the container's exists. */
TEST (init_order_joins_its_cgroups_first)
{
  tr_error_t err = NULL;
  int status = -1;
  struct cgroup_join j = { .n = 2, .fds = { open ("/dev/null", O_WRONLY | O_CLOEXEC), open ("/dev/null", O_WRONLY | O_CLOEXEC) },
                           .dirs = { strdup ("/sys/fs/cgroup/cpu/c"), strdup ("/sys/fs/cgroup/pids/c") } };
  given_join = &j;
  const char *got = run_init (CONFIG_HEAD "\"noNewPrivileges\": true}," CONFIG_LINUX, &status, &err);
  given_join = NULL;
  CHECK (err == NULL);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  static const char head[] = "self_protect cgroup_join(2) pdeathsig(9) affinity(reset) ns_join ";
  CHECK (got && strncmp (got, head, sizeof head - 1) == 0);
  if (got && strncmp (got, head, sizeof head - 1) != 0)
    fprintf (stderr, "  got: %.120s\n", got);
  cgroup_join_clear (&j);
  tr_error_free (&err);
}

/* Born pinned to the runtime's CPU, the init keeps it until the runtime
 * hands it over: when that runtime starts it itself (`run`) until the
 * release, resetting its affinity then, before the startContainer hooks
 * (which get every CPU, as the process does); after a plain `create`
 * right at the hand over. */
static void
check_pinned (int *unit_failed_, bool follows, const char *want)
{
  cpu_set_t cpus;
  if (sched_getaffinity (0, sizeof cpus, &cpus) < 0 || CPU_COUNT (&cpus) < 2)
    {
      fprintf (stderr, "  skipped: needs two CPUs\n");
      return;
    }
  tr_error_t err = NULL;
  int status = -1;
  born_pinned = true;
  start_follows = follows;
  const char *got = run_init (CONFIG_HEAD "\"noNewPrivileges\": true}," CONFIG_LINUX, &status, &err);
  born_pinned = start_follows = false;
  CHECK (err == NULL);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  static const char head[] = "self_protect pdeathsig(9) ns_join ";
  CHECK (got && strncmp (got, head, sizeof head - 1) == 0);
  CHECK (got && strstr (got, want));
  if (got && !strstr (got, want))
    fprintf (stderr, "  got: %s\n", got);
  tr_error_free (&err);
}

TEST (init_order_pinned_by_run_resets_affinity_after_start)
{
  check_pinned (unit_failed_, true, "[runtime:ready] pdeathsig(0) [start] affinity(reset) hooks(startContainer) close_range ");
}

TEST (init_order_pinned_by_create_resets_affinity_at_the_hand_over)
{
  check_pinned (unit_failed_, false, "[runtime:ready] pdeathsig(0) affinity(reset) [start] hooks(startContainer) close_range ");
}

/* Without noNewPrivileges, loading a filter needs CAP_SYS_ADMIN: it is
 * loaded before the credentials change (as runc does), no_new_privs is
 * not set, and execve is still the last call. */
TEST (init_order_without_nnp)
{
  tr_error_t err = NULL;
  int status = -1;
  const char *got = run_init (CONFIG_HEAD "\"noNewPrivileges\": false}," CONFIG_LINUX, &status, &err);
  CHECK (err == NULL);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  const char *tail = got ? strstr (got, "[start]") : NULL;
  CHECK_STR (tail, "[start] hooks(startContainer) close_range rlimits oom_score scheduling seccomp_load "
                   "bounding_set keepcaps setgroups(1) setresgid(100) setresuid(1000) capset+ambient "
                   "lsm_labels personality execve(/bin/sh) ");
  tr_error_free (&err);
}

/* A failing step: its error (errno and named step) reaches the runtime
 * as SYNC_ERROR, and nothing after it runs. */
TEST (init_order_failure_stops)
{
  tr_error_t err = NULL;
  int status = -1;
  fail_mounts = true;
  const char *got = run_init (CONFIG_HEAD "\"noNewPrivileges\": true}," CONFIG_LINUX, &status, &err);
  fail_mounts = false;
  CHECK_ERR (err, "mounts: mounts[0] (/proc): refused by the test");
  CHECK (err && err->status == EPERM);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 1);
  CHECK (got && strstr (got, "mounts ") != NULL && strstr (got, "devices") == NULL);
  CHECK (got && strstr (got, "execve") == NULL);
  tr_error_free (&err);
}

/* A warning the init logs goes to the runtime's logger over the channel,
 * not to the init's stderr. */
TEST (init_warning_reaches_runtime)
{
  tr_error_t err = NULL;
  int status = -1;
  run_init (CONFIG_HEAD "\"noNewPrivileges\": true}," CONFIG_LINUX, &status, &err);
  CHECK (err == NULL);
  char want[64];
  snprintf (want, sizeof want, "%d:a warning from the init\n", (int) LOG_LEVEL_WARNING);
  CHECK_STR (parent_log, want);
  tr_error_free (&err);
}
