/* Diagnostics: --log FILE, --log-format text|json, --debug.
 *
 * Errors go to stderr *and* to the log file (engines read the file, humans
 * read stderr).  Warnings and debug messages go to the log file when there
 * is one, else to stderr.  JSON lines look like runc's:
 *   {"level":"error","msg":"...","time":"2026-01-01T00:00:00Z"}
 *
 * A process may divert its messages to a sink instead: the container's
 * init sends them to the runtime over the sync channel, so that they end
 * up where the runtime's own go, not on the container's terminal. */
#ifndef TINYRUN_LOG_H
#define TINYRUN_LOG_H

#include <stdbool.h>

#include "util/error.h"

enum log_level
{
  LOG_LEVEL_ERROR,
  LOG_LEVEL_WARNING,
  LOG_LEVEL_INFO,
  LOG_LEVEL_DEBUG,
};

enum log_format
{
  LOG_FORMAT_TEXT,
  LOG_FORMAT_JSON,
};

int log_open (const char *path, enum log_format format, bool debug, tr_error_t *err);
void log_set_debug (bool debug);
bool log_debug_enabled (void);
int log_fd (void);

/* Takes a formatted message; returns false to let it go the usual way. */
typedef bool (*log_sink_fn) (enum log_level level, const char *msg, void *data);

/* Divert every message to sink (NULL: back to the log file and stderr). */
void log_set_sink (log_sink_fn sink, void *data);

void log_msg (enum log_level level, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

#define log_error(...) log_msg (LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg (LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg (LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                          \
  do                                            \
    {                                           \
      if (log_debug_enabled ())                 \
        log_msg (LOG_LEVEL_DEBUG, __VA_ARGS__); \
    }                                           \
  while (0)

#endif
