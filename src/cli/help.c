/* The help of each command: `tinyrun CMD --help` and `tinyrun help CMD`
 * print the same text. */
#include "config.h"
#include "cli/cmd.h"

#include <stdio.h>
#include <string.h>

/* The options create and run share (run adds -d and --keep). */
#define CREATE_OPTIONS                                                                                \
  "  --pid-file FILE           write the init's pid to FILE\n"                                          \
  "  --console-socket SOCK     send the pty master of a terminal container over the unix socket SOCK\n" \
  "  --pidfd-socket SOCK       send a pidfd of the container's init over the unix socket SOCK\n"        \
  "  --no-pivot                move the rootfs with MS_MOVE and chroot instead of pivot_root\n"          \
  "  --no-new-keyring          keep the caller's session keyring\n"                                      \
  "  --preserve-fds N          pass N more fds (3, 4, ...) to the container's process\n"                 \
  "  --no-subreaper            accepted for runc compatibility\n"

static const struct
{
  const char *name;
  const char *usage;
  const char *options;
} helps[] = {
  { "create", "[options] <container-id>",
    "  -b, --bundle DIR          the bundle holding config.json (default: the current directory)\n"
    CREATE_OPTIONS },
  { "start", "<container-id>", "" },
  { "state", "<container-id>", "" },
  { "kill", "[options] <container-id> [SIGNAL]",
    "  -a, --all                 send the signal to every process of the container\n" },
  { "delete", "[options] <container-id>",
    "  -f, --force               kill a container that still runs, then delete it\n" },
  { "run", "[options] <container-id>",
    "  -b, --bundle DIR          the bundle holding config.json (default: the current directory)\n"
    "  -d, --detach              do not wait for the container\n"
    "  --keep                    do not delete the container once it stops\n"
    CREATE_OPTIONS },
  { "exec", "[options] <container-id> [command [args...]]",
    "  -p, --process FILE        the process to run, as a process.json (instead of a command)\n"
    "  -t, --tty                 give the process a terminal\n"
    "  --console-socket SOCK     send the pty master over the unix socket SOCK\n"
    "  --pidfd-socket SOCK       send a pidfd of the new process over the unix socket SOCK\n"
    "  -d, --detach              do not wait for the process\n"
    "  --pid-file FILE           write the process's pid to FILE\n"
    "  --preserve-fds N          pass N more fds (3, 4, ...) to the process\n"
    "  --cwd DIR                 the working directory inside the container\n"
    "  -e, --env KEY=VALUE       set an environment variable (repeatable)\n"
    "  -u, --user UID[:GID]      the user and group to run as\n"
    "  -g, --additional-gids GID an additional group (repeatable)\n"
    "  -c, --cap CAP             add a capability (repeatable)\n"
    "  --no-new-privs            set no_new_privs\n"
    "  --apparmor PROFILE        the AppArmor profile of the process\n"
    "  --process-label LABEL     the SELinux label of the process\n"
    "  --cgroup SUBPATH          run in this sub-cgroup of the container's cgroup\n"
    "  --ignore-paused           allow exec in a paused container\n" },
  { "list", "[options]",
    "  -f, --format table|json   the output format (default table)\n"
    "  -q, --quiet               print only the container ids\n" },
  { "ps", "[options] <container-id> [-- ps options]",
    "  -f, --format table|json   the output format (default table)\n" },
  { "checkpoint", "[options] <container-id>",
    "  --image-path DIR          where criu writes the images (default: ./checkpoint)\n"
    "  --work-path DIR           where criu writes dump.log (default: the image path)\n"
    "  --parent-path DIR         a pre-dump's images, relative to the image path\n"
    "  --leave-running           keep the container running after the dump\n"
    "  --pre-dump                dump only the memory; the container keeps running\n"
    "  --tcp-established         dump established TCP connections\n"
    "  --ext-unix-sk             allow unix sockets connected outside the container\n"
    "  --shell-job               allow a shell job (a tty of the caller's session)\n"
    "  --file-locks              dump file locks\n"
    "  --manage-cgroups-mode M   criu's cgroup mode: none, soft (default), full, strict, ignore\n"
    "  --empty-ns network        leave the network namespace out of the images\n"
    "  --auto-dedup              free the parent images' pages that the dump supersedes\n"
    "  --lazy-pages              leave memory pages for a lazy-pages daemon\n" },
  { "restore", "[options] <container-id>",
    "  -b, --bundle DIR          the bundle holding config.json (default: the current directory)\n"
    "  -d, --detach              do not wait for the restored container\n"
    "  --console-socket PATH     where the new pty's master goes (process.terminal)\n"
    "  --pid-file FILE           write the restored init's pid to FILE\n"
    "  --image-path DIR          the checkpoint's images (default: ./checkpoint)\n"
    "  --work-path DIR           where criu writes restore.log (default: the image path)\n"
    "  --tcp-established, --ext-unix-sk, --shell-job, --file-locks, --manage-cgroups-mode M,\n"
    "  --empty-ns network, --auto-dedup, --lazy-pages   as for checkpoint\n"
    "  --lsm-profile TYPE:NAME   the LSM profile of the restored processes (criu's)\n"
    "  --lsm-mount-context CTX   the SELinux mount context of the restored mounts (criu's)\n"
    "  --no-subreaper, --no-pivot                        accepted, as runc's; no effect\n" },
  { "pause", "<container-id>", "" },
  { "resume", "<container-id>", "" },
  { "update", "[options] <container-id>",
    "  -r, --resources FILE|-    a linux.resources document (from stdin with -)\n"
    "  --memory N                memory limit (bytes; k, m, g suffixes)\n"
    "  --memory-reservation N    memory soft limit\n"
    "  --memory-swap N           memory plus swap limit\n"
    "  --kernel-memory N         kernel memory limit (cgroup v1)\n"
    "  --kernel-memory-tcp N     kernel TCP buffer limit (cgroup v1)\n"
    "  --cpu-shares N            CPU shares (relative weight)\n"
    "  --cpu-quota N             CPU CFS quota (microseconds per period)\n"
    "  --cpu-period N            CPU CFS period (microseconds)\n"
    "  --cpu-burst N             CPU CFS burst (microseconds)\n"
    "  --cpu-idle 0|1            the cgroup's SCHED_IDLE (0: default behaviour, 1: SCHED_IDLE)\n"
    "  --cpu-rt-period N         CPU realtime period (microseconds)\n"
    "  --cpu-rt-runtime N        CPU realtime runtime (microseconds)\n"
    "  --cpuset-cpus LIST        CPUs allowed (0-3,5)\n"
    "  --cpuset-mems LIST        memory nodes allowed (0-1)\n"
    "  --pids-limit N            maximum number of processes\n"
    "  --blkio-weight N          block IO weight (10-1000)\n" },
  { "events", "[options] <container-id>",
    "  --stats                   print the statistics once and exit\n"
    "  --interval DURATION       time between statistics (default 5s)\n" },
  { "spec", "[options] [-- CMD ARGS...]",
    "  -b, --bundle DIR          where to write config.json (default: the current directory)\n"
    "  --rootless                a config for a rootless container\n"
    "  --rootfs DIR              a config for this rootfs, with the flags below\n"
    "  --net none|host|bridge    the network of the container\n"
    "  -p, --publish H:C[/udp]   publish a port (--net bridge; repeatable)\n"
    "  -e, --env KEY=VALUE       set an environment variable (repeatable)\n"
    "  --memory SIZE             memory limit\n"
    "  --pids N                  maximum number of processes\n"
    "  --cpus N                  CPU limit, in CPUs\n"
    "  --hostname NAME           the container's hostname\n"
    "  --readonly                a read-only rootfs\n"
    "  -t, --tty                 give the process a terminal\n"
    "  --net-hook PATH           the tinyrun-net binary of the network hooks\n"
    "  --dns ADDR                a DNS server (--net bridge; repeatable)\n"
    "  --bridge NAME             the bridge (--net bridge)\n"
    "  --subnet CIDR             the IPv4 subnet (--net bridge)\n"
    "  --subnet6 CIDR            the IPv6 subnet (--net bridge)\n" },
  { "features", "", "" },
};

int
cmd_help (const char *name, const char *summary)
{
  for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
    {
      if (strcmp (helps[i].name, name) != 0)
        continue;
      printf ("usage: tinyrun %s %s\n\n%s\n\noptions:\n%s", name, helps[i].usage, summary, helps[i].options);
      printf ("  -h, --help                print this help\n\nSee tinyrun-%s(8).\n", name);
      return 0;
    }
  return -1;
}

bool
cmd_help_requested (const char *name, int argc, char **argv)
{
  /* exec and ps pass what follows the id on (the command, ps's options):
   * only a help right after the command name is tinyrun's. */
  bool first_only = strcmp (name, "exec") == 0 || strcmp (name, "ps") == 0;
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      /* spec's -h is --hostname. */
      if (strcmp (argv[i], "--help") == 0 || (strcmp (argv[i], "-h") == 0 && strcmp (name, "spec") != 0))
        return true;
      if (first_only)
        break;
    }
  return false;
}
