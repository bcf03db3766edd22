/* The floor of a `run` of the busybox bundle on this host: only the kernel
 * work that any runtime must have done for that bundle, with nothing else:
 * no config to parse, no state to record, no hooks, no error handling
 * beyond stopping.  bench/run-bench compares it with tinyrun, crun and
 * runc in one run.  Linked against glibc, it pays glibc's start-up as crun
 * and runc do (tinyrun, on musl, does not: musl/README.md).
 *
 *   floor ROOTFS CGROUP-NAME
 *
 * What it does, as the bundle asks (bundles/busybox/config.json):
 *   - a cgroup CGROUP-NAME in every v1 hierarchy of /proc/self/cgroup (and
 *     the cgroup2 one when it is the only one), which the child joins by
 *     writing 0 to each tasks file (the cheapest move: no RCU grace
 *     period, see src/linux/cgroup_join.h);
 *   - clone with new pid, mount, network, ipc and uts namespaces, and a
 *     cgroup namespace once the child is in its cgroups;
 *   - in the child: / made private, the rootfs bound onto itself, its 7
 *     mounts (proc, a tmpfs /dev, devpts, shm, mqueue, sysfs read-only,
 *     /tmp), the 6 device nodes bound from the host, /dev/ptmx and the
 *     /dev symlinks, the loopback up, the hostname, pivot_root, the 10
 *     masked and 5 read-only paths, the bounding set and capabilities
 *     cut to the bundle's three, RLIMIT_NOFILE, no_new_privs, exec
 *     /bin/true;
 *   - the parent waits for it and removes the cgroups.
 * Built by bench/floor-bench with gcc -O2 -static-pie. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "floor: %s: %s\n", what, strerror (errno));
  _exit (1);
}

static char cgroups[16][256];
static int tasks[16];
static int n_cgroups;

/* A v1 cpuset starts empty: it takes its parent's CPUs and memory nodes. */
static void
inherit (const char *dir, const char *file)
{
  char path[300], value[256];
  snprintf (path, sizeof path, "%s/../%s", dir, file);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read (fd, value, sizeof value);
  if (n <= 0)
    die (path);
  close (fd);
  snprintf (path, sizeof path, "%s/%s", dir, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, value, (size_t) n) != n)
    die (path);
  close (fd);
}

/* The hierarchies the caller is in, as runtimes place a container. */
static void
make_cgroups (const char *name)
{
  FILE *f = fopen ("/proc/self/cgroup", "re");
  if (f == NULL)
    die ("/proc/self/cgroup");
  char line[512];
  int v1 = 0;
  while (fgets (line, sizeof line, f) && n_cgroups < 16)
    {
      char *ctrl = strchr (line, ':');
      if (ctrl == NULL)
        continue;
      char *end = strchr (++ctrl, ':');
      if (end == NULL)
        continue;
      *end = '\0';
      char dir[256];
      if (*ctrl == '\0')
        {
          if (v1)
            continue;
          snprintf (dir, sizeof dir, "/sys/fs/cgroup/%s", name);
        }
      else
        {
          v1 = 1;
          char *comma = strchr (ctrl, ',');
          if (strncmp (ctrl, "name=", 5) == 0)
            ctrl += 5;
          else if (comma)
            *comma = '\0';
          snprintf (dir, sizeof dir, "/sys/fs/cgroup/%s/%s", ctrl, name);
        }
      if (mkdir (dir, 0755) < 0 && errno != EEXIST)
        continue; /* a hierarchy that is not mounted there */
      char file[300];
      snprintf (file, sizeof file, "%s/%s", dir, v1 ? "tasks" : "cgroup.procs");
      if ((tasks[n_cgroups] = open (file, O_WRONLY | O_CLOEXEC)) < 0)
        die (file);
      if (strcmp (ctrl, "cpuset") == 0)
        {
          inherit (dir, "cpuset.cpus");
          inherit (dir, "cpuset.mems");
        }
      snprintf (cgroups[n_cgroups++], sizeof cgroups[0], "%s", dir);
    }
  fclose (f);
}

/* In the child: itself into each cgroup. */
static void
join_cgroups (void)
{
  for (int i = 0; i < n_cgroups; i++)
    {
      if (write (tasks[i], "0", 1) != 1)
        die (cgroups[i]);
      close (tasks[i]);
    }
}

static void
mnt (const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
  if (mount (src, dst, type, flags, data) < 0)
    die (dst);
}

static void
bind_device (const char *name)
{
  char host[64], dst[64];
  snprintf (host, sizeof host, "/dev/%s", name);
  snprintf (dst, sizeof dst, "dev/%s", name);
  int fd = open (dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    die (dst);
  close (fd);
  mnt (host, dst, NULL, MS_BIND, NULL);
}

static void
loopback_up (void)
{
  int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { .ifr_name = "lo" };
  if (s < 0 || ioctl (s, SIOCGIFFLAGS, &ifr) < 0)
    die ("lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (s, SIOCSIFFLAGS, &ifr) < 0)
    die ("lo up");
  close (s);
}

static void
mounts (const char *rootfs)
{
  mnt (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  mnt (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
  if (chdir (rootfs) < 0)
    die (rootfs);
  mnt ("proc", "proc", "proc", 0, NULL);
  mnt ("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  mkdir ("dev/pts", 0755);
  mnt ("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  mkdir ("dev/shm", 0755);
  mnt ("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
  mkdir ("dev/mqueue", 0755);
  mnt ("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  mnt ("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
  mnt ("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
  for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
    bind_device (devices[i]);
  static const char *const links[][2] = { { "pts/ptmx", "dev/ptmx" },       { "/proc/self/fd", "dev/fd" },
                                          { "/proc/self/fd/0", "dev/stdin" }, { "/proc/self/fd/1", "dev/stdout" },
                                          { "/proc/self/fd/2", "dev/stderr" }, { "/proc/kcore", "dev/core" } };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlink (links[i][0], links[i][1]) < 0)
      die (links[i][1]);
}

static void
pivot (void)
{
  int old = open ("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (old < 0 || syscall (SYS_pivot_root, ".", ".") < 0 || fchdir (old) < 0)
    die ("pivot_root");
  mnt (NULL, ".", NULL, MS_REC | MS_SLAVE, NULL);
  if (umount2 (".", MNT_DETACH) < 0 || chdir ("/") < 0)
    die ("umount old root");
  close (old);
}

static void
masks (void)
{
  static const char *const masked[] = { "/proc/acpi",       "/proc/asound",     "/proc/kcore",  "/proc/keys",
                                        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                        "/proc/sched_debug", "/sys/firmware",    "/proc/scsi" };
  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++)
    {
      struct stat st;
      if (stat (masked[i], &st) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        mnt ("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
      else
        mnt ("/dev/null", masked[i], NULL, MS_BIND, NULL);
    }
  static const char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };
  for (size_t i = 0; i < sizeof readonly / sizeof readonly[0]; i++)
    {
      if (mount (readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL) < 0)
        continue;
      mnt (NULL, readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL);
    }
}

static void
capabilities (void)
{
  const unsigned keep = (1u << CAP_AUDIT_WRITE) | (1u << CAP_KILL) | (1u << CAP_NET_BIND_SERVICE);
  for (int cap = 0; cap <= 63; cap++)
    if (!(cap < 32 && (keep & (1u << cap))) && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      die ("capbset");
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct d[2] = { { .effective = keep, .permitted = keep, .inheritable = 0 } };
  if (syscall (SYS_capset, &h, d) < 0)
    die ("capset");
  struct rlimit rl = { 1024, 1024 };
  if (setrlimit (RLIMIT_NOFILE, &rl) < 0 || prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    die ("limits");
}

static int
child (const char *rootfs, int go)
{
  char c;
  join_cgroups ();
  if (read (go, &c, 1) != 1) /* the parent is ready */
    _exit (1);
  /* Its root is the cgroup it is in now. */
  if (unshare (CLONE_NEWCGROUP) < 0)
    die ("cgroup namespace");
  mounts (rootfs);
  loopback_up ();
  if (sethostname ("tinyrun-demo", 12) < 0)
    die ("sethostname");
  pivot ();
  masks ();
  capabilities ();
  char *argv[] = { "/bin/true", NULL };
  char *envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL };
  execve (argv[0], argv, envp);
  die ("exec /bin/true");
  return 1;
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: floor ROOTFS CGROUP-NAME\n");
      return 2;
    }
  make_cgroups (argv[2]);
  int go[2];
  if (pipe2 (go, O_CLOEXEC) < 0)
    die ("pipe");
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD,
                               NULL, NULL, NULL, NULL);
  if (pid < 0)
    die ("clone");
  if (pid == 0)
    {
      close (go[1]);
      return child (argv[1], go[0]);
    }
  close (go[0]);
  if (write (go[1], "g", 1) != 1)
    die ("release");
  int status;
  if (waitpid (pid, &status, 0) < 0)
    die ("wait");
  for (int i = 0; i < n_cgroups; i++)
    rmdir (cgroups[i]);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 1;
}
