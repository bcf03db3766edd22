/* tinyrun exec [options] <id> [command [args...]]
 *   -p/--process FILE | command, -t/--tty, --console-socket S,
 *   --pidfd-socket S, -d/--detach,
 *   --pid-file F, --preserve-fds N, --cwd D, -e/--env K=V, -u/--user U[:G],
 *   -g/--additional-gids G, -c/--cap C, --no-new-privs, --apparmor P,
 *   --process-label L, --cgroup SUBPATH, --ignore-paused              */
#include "config.h"
#include "cli/cmd.h"
#include "cli/create_flags.h"
#include "container/exec.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "[-p FILE] [-t] [--console-socket S] [--pidfd-socket S] [-d] [--pid-file F] [--preserve-fds N] [--cwd D] " \
              "[-e K=V]... [-u UID[:GID]] [-g GID]... [-c CAP]... [--no-new-privs] [--apparmor P] "      \
              "[--process-label L] [--cgroup SUBPATH] [--ignore-paused] <container-id> [command [args...]]"

enum
{
  OPT_CONSOLE_SOCKET = 600,
  OPT_PID_FILE,
  OPT_PRESERVE_FDS,
  OPT_CWD,
  OPT_NO_NEW_PRIVS,
  OPT_APPARMOR,
  OPT_PROCESS_LABEL,
  OPT_CGROUP,
  OPT_IGNORE_PAUSED,
  OPT_PIDFD_SOCKET,
};

/* Repeated flags (-e, -c, -g), collected for the one exec of this run. */
#define MAX_REPEATED 64
static char *env[MAX_REPEATED], *caps[MAX_REPEATED];
static uint32_t gids[MAX_REPEATED];

/* A uid or gid: a decimal number, never (uid_t) -1, which set*id(2)
 * read as "leave unchanged" (the process would stay root). */
static int
parse_id (const char *flag, const char *text, uint32_t *out, tr_error_t *err)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul (text, &end, 10);
  if (*text < '0' || *text > '9' || *end || errno || v > UINT32_MAX)
    return tr_error_plain (err, EINVAL, "%s: \"%s\" is not a number", flag, text);
  if (v == UINT32_MAX)
    return tr_error_plain (err, EINVAL, "%s: %lu is not a valid id", flag, v);
  *out = (uint32_t) v;
  return 0;
}

static int
parse_user (const char *text, struct exec_options *o, tr_error_t *err)
{
  char copy[64];
  snprintf (copy, sizeof copy, "%s", text);
  char *colon = strchr (copy, ':');
  if (colon)
    *colon = '\0';
  if (parse_id ("--user", copy, &o->uid, err) < 0)
    return -1;
  o->gid = 0;
  if (colon && parse_id ("--user", colon + 1, &o->gid, err) < 0)
    return -1;
  o->user_set = true;
  return 0;
}

static const struct option options[] = {
  { "process", required_argument, NULL, 'p' },
  { "tty", no_argument, NULL, 't' },
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "detach", no_argument, NULL, 'd' },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "cwd", required_argument, NULL, OPT_CWD },
  { "env", required_argument, NULL, 'e' },
  { "user", required_argument, NULL, 'u' },
  { "additional-gids", required_argument, NULL, 'g' },
  { "cap", required_argument, NULL, 'c' },
  { "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
  { "apparmor", required_argument, NULL, OPT_APPARMOR },
  { "process-label", required_argument, NULL, OPT_PROCESS_LABEL },
  { "cgroup", required_argument, NULL, OPT_CGROUP },
  { "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
  { "pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET },
  { NULL, 0, NULL, 0 },
};

static int
usage_error (tr_error_t *err)
{
  cmd_usage_error (err, "exec", USAGE);
  return -1;
}

/* One option into *o.  -1 with *err set on a bad value. */
static int
exec_option (int c, struct exec_options *o, tr_error_t *err)
{
  switch (c)
    {
    case 'p':
      o->process_file = optarg;
      break;
    case 't':
      o->tty = true;
      break;
    case OPT_CONSOLE_SOCKET:
      o->console_socket = optarg;
      break;
    case 'd':
      o->detach = true;
      break;
    case OPT_PID_FILE:
      o->pid_file = optarg;
      break;
    case OPT_PRESERVE_FDS:
      if (cmd_parse_int ("--preserve-fds", optarg, &o->preserve_fds, err) < 0)
        return -1;
      break;
    case OPT_CWD:
      o->cwd = optarg;
      break;
    case 'e':
      if (o->n_env == MAX_REPEATED || strchr (optarg, '=') == NULL)
        return usage_error (err);
      env[o->n_env++] = optarg;
      break;
    case 'u':
      if (parse_user (optarg, o, err) < 0)
        return -1;
      break;
    case 'g':
      if (o->n_additional_gids == MAX_REPEATED)
        return usage_error (err);
      if (parse_id ("--additional-gids", optarg, &gids[o->n_additional_gids], err) < 0)
        return -1;
      o->n_additional_gids++;
      break;
    case 'c':
      if (o->n_caps == MAX_REPEATED)
        return usage_error (err);
      caps[o->n_caps++] = optarg;
      break;
    case OPT_NO_NEW_PRIVS:
      o->no_new_privs = true;
      break;
    case OPT_APPARMOR:
      o->apparmor = optarg;
      break;
    case OPT_PROCESS_LABEL:
      o->process_label = optarg;
      break;
    case OPT_CGROUP:
      o->cgroup_subpath = optarg;
      break;
    case OPT_PIDFD_SOCKET:
      o->pidfd_socket = optarg;
      break;
    case OPT_IGNORE_PAUSED:
      o->ignore_paused = true;
      break;
    default:
      return usage_error (err);
    }
  return 0;
}

int
cmd_exec (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  struct exec_options o = { .env = env, .caps = caps, .additional_gids = gids };
  int c;
  /* "+": options end at the id; what follows is the command's. */
  while ((c = getopt_long (argc, argv, "+p:tde:u:g:c:", options, NULL)) != -1)
    if (exec_option (c, &o, err) < 0)
      return 1;
  if (optind >= argc)
    return cmd_usage_error (err, "exec", USAGE);
  if (passed_fds_check ("--preserve-fds", 3, o.preserve_fds, err) < 0)
    return 1;
  const char *id = argv[optind++];
  if (optind < argc && strcmp (argv[optind], "--") == 0)
    optind++;
  o.args = argv + optind;
  o.n_args = (size_t) (argc - optind);
  if ((o.process_file == NULL) == (o.n_args == 0))
    {
      tr_error_plain (err, EINVAL, "exec %s: give either --process or a command", id);
      return 1;
    }
  int status;
  if (container_exec (g->root, id, &o, &status, err) < 0)
    {
      tr_error_wrap (err, "exec %s", id);
      return 1;
    }
  return status;
}
