/* The config.json that `tinyrun spec` writes: runc's defaults, and the
 * same defaults completed for a rootfs, a command and a network. */
#ifndef TINYRUN_SPEC_DEFAULT_H
#define TINYRUN_SPEC_DEFAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* rootless: add a user namespace mapping the caller's ids to root and drop
 * what an unprivileged user cannot do (as `runc spec --rootless`). */
const char *spec_default_json (bool rootless);

enum spec_net
{
  SPEC_NET_NONE,   /* a network namespace of its own with only lo */
  SPEC_NET_HOST,   /* the host's network namespace */
  SPEC_NET_BRIDGE, /* a namespace of its own wired by tinyrun-net */
};

struct spec_options
{
  const char *rootfs;
  enum spec_net net;
  const char *net_hook;              /* tinyrun-net's absolute path (bridge) */
  const char *const *net_args;       /* extra `tinyrun-net up` arguments */
  size_t n_net_args;
  const char *const *publish;        /* "8080:80[/udp]" */
  size_t n_publish;
  const char *const *env;            /* "K=V", replacing a default K */
  size_t n_env;
  char *const *args;                 /* the command; none: sh */
  size_t n_args;
  const char *hostname;              /* NULL: "tinyrun" */
  int64_t memory;                    /* bytes; 0: no limit */
  int64_t pids;                      /* 0: no limit */
  int64_t cpu_quota;                 /* µs per 100000 µs period; 0: no limit */
  bool readonly;
  bool terminal;
};

/* The default document with o applied; caller frees. */
char *spec_generate_json (const struct spec_options *o, tr_error_t *err);

#endif
