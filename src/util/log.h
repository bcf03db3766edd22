/* Diagnostics: --log FILE, --log-format text|json, --debug.
 *
 * Errors go to stderr *and* to the log file (engines read the file, humans
 * read stderr).  Warnings and debug messages go to the log file when there
 * is one, else to stderr.  JSON lines look like runc's:
 *   {"level":"error","msg":"...","time":"2026-01-01T00:00:00Z"}            */
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
