/* The flags checkpoint and restore share (runc's names). */
#ifndef TINYRUN_CRIU_FLAGS_H
#define TINYRUN_CRIU_FLAGS_H

#include <getopt.h>

#include "container/checkpoint.h"

enum
{
  CRIU_OPT_IMAGE = 256,
  CRIU_OPT_WORK,
  CRIU_OPT_TCP,
  CRIU_OPT_EXT_UNIX,
  CRIU_OPT_SHELL,
  CRIU_OPT_LOCKS,
  CRIU_OPT_CGROUPS_MODE,
  CRIU_OPT_EMPTY_NS,
  CRIU_OPT_DEDUP,
  CRIU_OPT_LAZY,
  CRIU_OPT_FIRST_OWN, /* each command's own options from here */
};

#define CRIU_COMMON_OPTIONS                                                                                     \
  { "image-path", required_argument, NULL, CRIU_OPT_IMAGE }, { "work-path", required_argument, NULL, CRIU_OPT_WORK }, \
    { "tcp-established", no_argument, NULL, CRIU_OPT_TCP }, { "ext-unix-sk", no_argument, NULL, CRIU_OPT_EXT_UNIX }, \
    { "shell-job", no_argument, NULL, CRIU_OPT_SHELL }, { "file-locks", no_argument, NULL, CRIU_OPT_LOCKS },        \
    { "manage-cgroups-mode", required_argument, NULL, CRIU_OPT_CGROUPS_MODE },                                  \
    { "empty-ns", required_argument, NULL, CRIU_OPT_EMPTY_NS }, { "auto-dedup", no_argument, NULL, CRIU_OPT_DEDUP }, \
    { "lazy-pages", no_argument, NULL, CRIU_OPT_LAZY }

/* 1 when c (from getopt_long) was a shared option, stored in *o. */
int criu_flags_take (int c, const char *arg, struct criu_common_options *o);

#endif
