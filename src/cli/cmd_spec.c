/* tinyrun spec [--bundle DIR] [--rootless]: write a default config.json;
 * with --rootfs, a complete one for that rootfs and a command:
 *   tinyrun spec --rootfs DIR [--net none|host|bridge] [-p H:C[/udp]]...
 *                [--memory 128m] [--pids N] [--cpus 0.5] [--hostname H]
 *                [-e K=V]... [--readonly] [-t] [--net-hook PATH]
 *                [--dns ADDR]... [--bridge NAME] [--subnet CIDR] [--subnet6 CIDR]
 *                -- CMD ARGS... */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "util/fileutil.h"
#include "oci-spec/spec_default.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USAGE                                                                                        \
  "[--bundle DIR] [--rootless] | [--bundle DIR] --rootfs DIR [--net none|host|bridge] [-p H:C[/udp]]...\n" \
  "  [--memory SIZE] [--pids N] [--cpus N] [--hostname H] [-e K=V]... [--readonly] [-t] [--net-hook PATH]\n" \
  "  [--dns ADDR]... [--bridge NAME] [--subnet CIDR] [--subnet6 CIDR] -- CMD ARGS..."
#define MAX_LIST 64

/* What the flags collect. */
struct spec_flags
{
  struct spec_options o;
  const char *publish[MAX_LIST], *env[MAX_LIST], *net_args[MAX_LIST];
  char hook[PATH_MAX];
  bool rootless;
};

/* "128m", "1g", "65536": bytes (k, m, g are powers of 1024). */
static int
parse_size (const char *text, int64_t *out, tr_error_t *err)
{
  char *end;
  errno = 0;
  double n = strtod (text, &end);
  double unit = 1;
  if (*end && strchr ("kKmMgG", *end) && end[1] == '\0')
    unit = *end == 'k' || *end == 'K' ? 1024.0 : *end == 'm' || *end == 'M' ? 1048576.0 : 1073741824.0;
  else if (*end)
    n = -1;
  if (end == text || errno || n <= 0 || n * unit > 9e18)
    return tr_error_plain (err, EINVAL, "spec: --memory: \"%s\" is not a size like 128m", text);
  *out = (int64_t) (n * unit);
  return 0;
}

static int
parse_number (const char *flag, const char *text, double max, double *out, tr_error_t *err)
{
  char *end;
  errno = 0;
  double n = strtod (text, &end);
  if (end == text || *end || errno || !(n > 0) || n > max)
    return tr_error_plain (err, EINVAL, "spec: %s: \"%s\" is not a positive number", flag, text);
  *out = n;
  return 0;
}

static bool
push (const char **list, size_t *n, const char *value)
{
  if (*n == MAX_LIST)
    return false;
  list[(*n)++] = value;
  return true;
}

/* tinyrun-net next to this tinyrun, unless --net-hook or $TINYRUN_NET says. */
static int
default_hook (struct spec_flags *f, tr_error_t *err)
{
  const char *env = getenv ("TINYRUN_NET");
  if (f->o.net_hook == NULL && env && *env)
    f->o.net_hook = env;
  if (f->o.net_hook == NULL)
    {
      char self[PATH_MAX];
      ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
      if (n < 0)
        return tr_error (err, errno, "spec: find tinyrun-net (readlink /proc/self/exe)");
      self[n] = '\0';
      char *slash = strrchr (self, '/');
      *slash = '\0';
      if ((size_t) snprintf (f->hook, sizeof f->hook, "%.*s/tinyrun-net", PATH_MAX - 16, self) >= sizeof f->hook)
        return tr_error_plain (err, ENAMETOOLONG, "spec: %s/tinyrun-net: path too long", self);
      f->o.net_hook = f->hook;
    }
  if (f->o.net_hook[0] != '/' || access (f->o.net_hook, X_OK) < 0)
    return tr_error_plain (err, ENOENT, "spec: --net bridge: %s is not an executable absolute path (see --net-hook)",
                           f->o.net_hook);
  return 0;
}

static int
parse_net (struct spec_flags *f, const char *mode, tr_error_t *err)
{
  if (strcmp (mode, "none") == 0)
    f->o.net = SPEC_NET_NONE;
  else if (strcmp (mode, "host") == 0)
    f->o.net = SPEC_NET_HOST;
  else if (strcmp (mode, "bridge") == 0)
    f->o.net = SPEC_NET_BRIDGE;
  else
    return tr_error_plain (err, EINVAL, "spec: --net: \"%s\" is none, host or bridge", mode);
  return 0;
}

/* A flag tinyrun-net takes, passed on to `tinyrun-net up`. */
static bool
net_arg (struct spec_flags *f, const char *flag, const char *value)
{
  return push (f->net_args, &f->o.n_net_args, flag) && push (f->net_args, &f->o.n_net_args, value);
}

static int
one_flag (struct spec_flags *f, int c, const char **bundle, tr_error_t *err)
{
  double n;
  bool ok = true;
  switch (c)
    {
    case 'b': *bundle = optarg; break;
    case 'r': f->rootless = true; break;
    case 'R': f->o.rootfs = optarg; break;
    case 'N': return parse_net (f, optarg, err);
    case 'p': ok = push (f->publish, &f->o.n_publish, optarg); break;
    case 'e': ok = push (f->env, &f->o.n_env, optarg); break;
    case 'm': return parse_size (optarg, &f->o.memory, err);
    case 'P':
      if (parse_number ("--pids", optarg, 4194304, &n, err) < 0)
        return -1;
      f->o.pids = (int64_t) n;
      break;
    case 'c':
      if (parse_number ("--cpus", optarg, 4096, &n, err) < 0)
        return -1;
      f->o.cpu_quota = (int64_t) (n * 100000 + 0.5);
      break;
    case 'h': f->o.hostname = optarg; break;
    case 'o': f->o.readonly = true; break;
    case 't': f->o.terminal = true; break;
    case 'H': f->o.net_hook = optarg; break;
    case 'd': ok = net_arg (f, "--dns", optarg); break;
    case 'B': ok = net_arg (f, "--bridge", optarg); break;
    case 's': ok = net_arg (f, "--subnet", optarg); break;
    case '6': ok = net_arg (f, "--subnet6", optarg); break;
    default: cmd_usage_error (err, "spec", USAGE); return -1;
    }
  return ok ? 0 : tr_error_plain (err, E2BIG, "spec: at most %d of each repeated flag", MAX_LIST);
}

static int
parse_flags (struct spec_flags *f, int argc, char **argv, const char **bundle, tr_error_t *err)
{
  static const struct option options[] = {
    { "bundle", required_argument, NULL, 'b' },   { "rootless", no_argument, NULL, 'r' },
    { "rootfs", required_argument, NULL, 'R' },   { "net", required_argument, NULL, 'N' },
    { "publish", required_argument, NULL, 'p' },  { "env", required_argument, NULL, 'e' },
    { "memory", required_argument, NULL, 'm' },   { "pids", required_argument, NULL, 'P' },
    { "cpus", required_argument, NULL, 'c' },     { "hostname", required_argument, NULL, 'h' },
    { "readonly", no_argument, NULL, 'o' },       { "tty", no_argument, NULL, 't' },
    { "net-hook", required_argument, NULL, 'H' }, { "dns", required_argument, NULL, 'd' },
    { "bridge", required_argument, NULL, 'B' },   { "subnet", required_argument, NULL, 's' },
    { "subnet6", required_argument, NULL, '6' },  { NULL, 0, NULL, 0 },
  };
  int c;
  while ((c = getopt_long (argc, argv, "+b:p:e:t", options, NULL)) != -1)
    if (one_flag (f, c, bundle, err) < 0)
      return -1;
  f->o.publish = f->publish;
  f->o.env = f->env;
  f->o.net_args = f->net_args;
  f->o.args = argv + optind;
  f->o.n_args = (size_t) (argc - optind);
  bool custom = f->o.net != SPEC_NET_NONE || f->o.n_publish || f->o.n_env || f->o.memory || f->o.pids
                || f->o.cpu_quota || f->o.hostname || f->o.readonly || f->o.terminal || f->o.n_net_args
                || f->o.n_args;
  if (f->o.rootfs == NULL && custom)
    return tr_error_plain (err, EINVAL, "spec: these flags need --rootfs DIR");
  if (f->o.rootfs && f->rootless)
    return tr_error_plain (err, EINVAL, "spec: --rootless and --rootfs do not go together");
  if ((f->o.n_publish || f->o.n_net_args) && f->o.net != SPEC_NET_BRIDGE)
    return tr_error_plain (err, EINVAL, "spec: -p, --dns, --bridge and --subnet need --net bridge");
  return f->o.net == SPEC_NET_BRIDGE ? default_hook (f, err) : 0;
}

int
cmd_spec (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  struct spec_flags f = { .o = { .net = SPEC_NET_NONE } };
  const char *bundle = ".";
  (void) g;
  if (parse_flags (&f, argc, argv, &bundle, err) < 0)
    return 1;
  cleanup_free char *generated = f.o.rootfs ? spec_generate_json (&f.o, err) : NULL;
  if (f.o.rootfs && generated == NULL)
    return 1;
  cleanup_close int dirfd = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    {
      tr_error (err, errno, "spec: open bundle %s", bundle);
      return 1;
    }
  /* O_EXCL: never overwrite someone's config.json. */
  cleanup_close int fd = openat (dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      tr_error (err, errno, "spec: create %s/config.json", bundle);
      return 1;
    }
  const char *json = generated ? generated : spec_default_json (f.rootless);
  if (write_all_fd (fd, json, strlen (json), err) < 0)
    {
      tr_error_wrap (err, "spec: %s/config.json", bundle);
      return 1;
    }
  return 0;
}
