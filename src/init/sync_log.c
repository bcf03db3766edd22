#include "config.h"
#include "init/sync_log.h"
#include "init/sync.h"
#include "util/log.h"

#include <stdbool.h>
#include <stddef.h>

static bool
send_to_parent (enum log_level level, const char *msg, void *data)
{
  const int *sync_fd = data;
  if (*sync_fd < 0)
    return false;
  /* A message that cannot be sent goes the usual way. */
  return sync_send_text (*sync_fd, SYNC_WARNING, (int32_t) level, msg, NULL) == 0;
}

void
init_log_to_sync (const int *sync_fd)
{
  if (sync_fd == NULL)
    log_set_sink (NULL, NULL);
  else
    log_set_sink (send_to_parent, (void *) sync_fd);
}
