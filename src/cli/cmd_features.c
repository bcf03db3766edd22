/* tinyrun features */
#include "config.h"
#include "util/cleanup.h"
#include "cli/cmd.h"
#include "container/features.h"

#include <stdio.h>

int
cmd_features (const struct globals *g, int argc, char **argv, tr_error_t *err)
{
  (void) g;
  (void) argv;
  if (argc > 1)
    return cmd_usage_error (err, "features", "");
  cleanup_free char *json = features_json (err);
  if (json == NULL)
    return 1;
  printf ("%s\n", json);
  return 0;
}
