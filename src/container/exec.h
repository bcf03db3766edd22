#ifndef TINYRUN_CONTAINER_EXEC_H
#define TINYRUN_CONTAINER_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "container/container.h"

struct exec_options
{
  const char *process_file; /* --process: a process.json; else: */
  char **args;              /* ...the command line after the id */
  size_t n_args;
  bool tty;
  bool detach;
  const char *console_socket;
  const char *pidfd_socket; /* gets a pidfd of the process (linux/pidfd_socket.h) */
  const char *pid_file;
  int preserve_fds;
  const char *cwd;
  char **env;
  size_t n_env;
  bool user_set;
  uint32_t uid, gid;
  const uint32_t *additional_gids;
  size_t n_additional_gids;
  char **caps;
  size_t n_caps;
  bool no_new_privs;
  const char *apparmor;
  const char *process_label;
  const char *cgroup_subpath;
  bool ignore_paused; /* a paused container is no reason to refuse (the process starts frozen) */
};

/* Run a process in a created or running container.  In the foreground
 * *exit_status is the process's (128+N when killed by signal N). */
int container_exec (const char *root, const char *id, const struct exec_options *o, int *exit_status,
                    tr_error_t *err);

#endif
