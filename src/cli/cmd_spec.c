/* tinyrun spec [--bundle DIR] [--rootless]: write a default config.json. */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "util/fileutil.h"
#include "oci-spec/spec_default.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#define USAGE "[--bundle DIR] [--rootless]"

int
cmd_spec (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  static const struct option options[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "rootless", no_argument, NULL, 'r' },
    { NULL, 0, NULL, 0 },
  };
  const char *bundle = ".";
  bool rootless = false;
  int c;
  (void) g;
  while ((c = getopt_long (argc, argv, "b:", options, NULL)) != -1)
    {
      if (c == 'b')
        bundle = optarg;
      else if (c == 'r')
        rootless = true;
      else
        return cmd_usage_error (err, "spec", USAGE);
    }
  if (optind != argc)
    return cmd_usage_error (err, "spec", USAGE);
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
  const char *json = spec_default_json (rootless);
  if (write_all_fd (fd, json, strlen (json), err) < 0)
    {
      tr_error_wrap (err, "spec: %s/config.json", bundle);
      return 1;
    }
  return 0;
}
