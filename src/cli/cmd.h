/* The command layer: one cmd_<name>.c per command, each parsing its own
 * flags and calling the container_* library.  Nothing below this layer
 * reads the command line. */
#ifndef TINYRUN_CMD_H
#define TINYRUN_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct globals
{
  const char *root;
  bool debug;
  bool systemd_cgroup;
  const char *criu; /* --criu: the criu binary (NULL: criu from PATH) */
};

/* Each returns the process exit status; on error it fills *err (printed
 * once by main) and returns 1, or returns another status it wants. */
typedef int (*command_fn) (const struct globals *g, int argc, char **argv, tr_error_t *err);

int cmd_create (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_start (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_state (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_kill (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_delete (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_run (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_exec (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_list (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_ps (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_pause (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_resume (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_update (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_events (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_spec (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_checkpoint (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_restore (const struct globals *g, int argc, char **argv, tr_error_t *err);
int cmd_features (const struct globals *g, int argc, char **argv, tr_error_t *err);

/* A command's help (src/cli/help.c): prints its usage, summary and
 * options; -1 for an unknown command. */
int cmd_help (const char *name, const char *summary);
/* Whether argv asks for the command's help: --help or -h among its
 * options (not one meant for the command that exec or ps passes on). */
bool cmd_help_requested (const char *name, int argc, char **argv);

/* Shared helpers for commands. */
/* Set a "usage: tinyrun <command> <usage>" error; returns 1, the exit status. */
int cmd_usage_error (tr_error_t *err, const char *command, const char *usage);
/* The single container id that must follow the options. */
int cmd_take_id (int argc, char **argv, const char *command, const char *usage, const char **id, tr_error_t *err);
/* Parse a non-negative int flag value, naming the flag on error. */
int cmd_parse_int (const char *flag, const char *value, int *out, tr_error_t *err);

/* A size like docker's and runc's: "-1", "1024", "64m", "1.5g", "2GiB"
 * (binary multiples). */
int cmd_parse_size (const char *flag, const char *value, int64_t *out, tr_error_t *err);

#endif
