/* tinyrun-net: the network hook of tinyrun, usable by any OCI runtime.
 *
 *   createRuntime: tinyrun-net up   [--bridge NAME] [--subnet CIDR] [--subnet6 CIDR]
 *                                   [--ip ADDR] [--publish H:C[/tcp|/udp]]... [--dns ADDR]...
 *   poststop:      tinyrun-net down [--bridge NAME]
 *   by hand/cron:  tinyrun-net gc   [--bridge NAME]
 *
 * up and down read the container state (id, pid, bundle, annotations) on
 * stdin, as every OCI hook does; settings the command line leaves out
 * come from the annotations org.tinyrun.net.*.  `up` gives the container
 * a veth whose other end sits on a bridge, addresses from the bridge's
 * subnets, default routes through the bridge, NAT to the outside, its
 * published ports and a resolv.conf; `down` takes it all back, the bridge
 * and the NAT tables with the bridge's last container; `gc` does `down`
 * for every container whose network namespace is gone. */
#include "config.h"
#include "net/options.h"
#include "net/up.h"
#include "oci-spec/hook_state.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
read_state (struct container_state *c, tr_error_t *err)
{
  cleanup_free char *text = read_fd_all (STDIN_FILENO, "stdin", NULL, err);
  if (text == NULL)
    return tr_error_wrap (err, "read the container state on stdin");
  return hook_state_decode (text, strlen (text), c, err);
}

static int
run_hook (const char *verb, struct options *o, struct container_state *c, tr_error_t *err)
{
  char *storage[2] = { NULL, NULL };
  int ret = read_state (c, err);
  if (ret == 0)
    {
      options_from_annotations (o, &c->annotations, storage);
      if (!options_valid_bridge (o->bridge))
        ret = options_check (o, err); /* the error names the bridge */
      else
        ret = verb[0] == 'u' ? net_up (o, c, err) : net_down (o, c, err);
    }
  free (storage[0]);
  free (storage[1]);
  return ret;
}

/* fds 0-2 are something (/dev/null where the runtime left one closed), so
 * that no memfd or socket of ours takes their place: nft's stdio (net/nft.c)
 * is then always what it is given. */
static void
stdio_taken (void)
{
  int fd;
  while ((fd = open ("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && fd <= 2)
    ;
  if (fd > 2)
    close (fd);
}

int
main (int argc, char **argv)
{
  struct options o = { .bridge = NULL };
  signal (SIGPIPE, SIG_IGN);
  /* Inherited ignored, SIGCHLD would have the kernel reap nft itself, and
   * the wait for it would fail (ECHILD) after nft had done its work. */
  signal (SIGCHLD, SIG_DFL);
  stdio_taken ();
  if (argc < 2)
    {
      fprintf (stderr, "usage: tinyrun-net up|down|gc [OPTIONS] (see tinyrun-net(8))\n");
      return 2;
    }
  const char *verb = argv[1];
  bool hook = strcmp (verb, "up") == 0 || strcmp (verb, "down") == 0;
  if (!hook && strcmp (verb, "gc") != 0)
    {
      fprintf (stderr, "tinyrun-net: unknown command \"%s\" (up, down or gc)\n", verb);
      return 2;
    }
  int bad = options_parse (&o, argc - 1, argv + 1);
  if (bad)
    return bad;
  tr_error_t err = NULL;
  struct container_state c = { 0 };
  int ret = hook ? run_hook (verb, &o, &c, &err) : net_gc (o.bridge, &err);
  if (ret < 0)
    {
      fprintf (stderr, "tinyrun-net: %s %s: %s\n", verb, c.id ? c.id : "", err ? err->msg : "failed");
      tr_error_free (&err);
    }
  container_state_clear (&c);
  return ret < 0 ? 1 : 0;
}
