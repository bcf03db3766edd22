/* The flags checkpoint and restore share (cli/criu_flags.h). */
#include "config.h"
#include "cli/criu_flags.h"

#include <string.h>

int
criu_flags_take (int c, const char *arg, struct criu_common_options *o)
{
  switch (c)
    {
    case CRIU_OPT_IMAGE:
      o->image_path = arg;
      return 1;
    case CRIU_OPT_WORK:
      o->work_path = arg;
      return 1;
    case CRIU_OPT_TCP:
      o->tcp_established = true;
      return 1;
    case CRIU_OPT_EXT_UNIX:
      o->ext_unix_sk = true;
      return 1;
    case CRIU_OPT_SHELL:
      o->shell_job = true;
      return 1;
    case CRIU_OPT_LOCKS:
      o->file_locks = true;
      return 1;
    case CRIU_OPT_CGROUPS_MODE:
      o->manage_cgroups_mode = arg;
      return 1;
    case CRIU_OPT_EMPTY_NS:
      /* runc's --empty-ns takes "network" (criu's "net"). */
      o->empty_ns = strcmp (arg, "network") == 0 ? "net" : arg;
      return 1;
    case CRIU_OPT_DEDUP:
      o->auto_dedup = true;
      return 1;
    case CRIU_OPT_LAZY:
      o->lazy_pages = true;
      return 1;
    }
  return 0;
}

