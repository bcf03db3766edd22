#include "config.h"
#include "util/rfc3339.h"
#include "util/log.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_file_fd = -1;
static enum log_format log_file_format = LOG_FORMAT_TEXT;
static bool log_debug_on;
static log_sink_fn log_sink;
static void *log_sink_data;

static const char *const level_names[] = {
  [LOG_LEVEL_ERROR] = "error",
  [LOG_LEVEL_WARNING] = "warning",
  [LOG_LEVEL_INFO] = "info",
  [LOG_LEVEL_DEBUG] = "debug",
};

int
log_open (const char *path, enum log_format format, bool debug, tr_error_t *err)
{
  log_debug_on = debug;
  log_file_format = format;
  if (path == NULL || path[0] == '\0')
    return 0;
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return tr_error (err, errno, "open log file %s", path);
  /* Keep clear of the low numbers that --preserve-fds passes on. */
  int high = fcntl (fd, F_DUPFD_CLOEXEC, 100);
  if (high >= 0)
    {
      close (fd);
      fd = high;
    }
  if (log_file_fd >= 0)
    close (log_file_fd);
  log_file_fd = fd;
  return 0;
}

void
log_set_sink (log_sink_fn sink, void *data)
{
  log_sink = sink;
  log_sink_data = data;
}

void
log_set_debug (bool debug)
{
  log_debug_on = debug;
}

bool
log_debug_enabled (void)
{
  return log_debug_on;
}

int
log_fd (void)
{
  return log_file_fd;
}

/* Append s to buf as a JSON string body (no quotes). */
static size_t
json_escape (char *buf, size_t size, size_t used, const char *s)
{
  for (; *s && used + 7 < size; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        {
          buf[used++] = '\\';
          buf[used++] = (char) c;
        }
      else if (c == '\n')
        used += (size_t) snprintf (buf + used, size - used, "\\n");
      else if (c < 0x20)
        used += (size_t) snprintf (buf + used, size - used, "\\u%04x", c);
      else
        buf[used++] = (char) c;
    }
  buf[used] = '\0';
  return used;
}

static void
write_all (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      buf += n;
      len -= (size_t) n;
    }
}

static void
write_log_file (enum log_level level, const char *msg)
{
  char line[8192];
  size_t used;
  if (log_file_format == LOG_FORMAT_JSON)
    {
      char stamp[64];
      struct timespec ts;
      clock_gettime (CLOCK_REALTIME, &ts);
      rfc3339_utc_seconds (stamp, sizeof stamp, ts.tv_sec);
      used = (size_t) snprintf (line, sizeof line, "{\"level\":\"%s\",\"msg\":\"", level_names[level]);
      /* Engines show an error's msg to their user as it is ("OCI runtime
       * create failed: ..."): name the runtime, as runc's "runc create
       * failed:" does. */
      if (level == LOG_LEVEL_ERROR)
        used = json_escape (line, sizeof line - 64, used, "tinyrun: ");
      used = json_escape (line, sizeof line - 64, used, msg);
      used += (size_t) snprintf (line + used, sizeof line - used, "\",\"time\":\"%s.%09ldZ\"}\n", stamp,
                                 ts.tv_nsec);
    }
  else
    used = (size_t) snprintf (line, sizeof line, "%s: %s\n", level_names[level], msg);
  if (used >= sizeof line)
    used = sizeof line - 1;
  write_all (log_file_fd, line, used);
}

/* A message is one line whatever it echoes (an id with a newline in
 * it): control characters become \n, \t, \r or \xNN; the rest, backslash
 * included, stays as it is.  out has room for 4 bytes per byte of in.
 * (JSON lines and a sink get the message as it is: JSON escapes it.) */
static void
one_line (const char *in, char *out)
{
  for (; *in; in++)
    {
      unsigned char c = (unsigned char) *in;
      if (c >= 0x20 && c != 0x7f)
        *out++ = (char) c;
      else if (c == '\n' || c == '\t' || c == '\r')
        {
          *out++ = '\\';
          *out++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        }
      else
        out += snprintf (out, 5, "\\x%02x", c);
    }
  *out = '\0';
}

void
log_msg (enum log_level level, const char *fmt, ...)
{
  int saved_errno = errno;
  char raw[4096], msg[sizeof raw * 4];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (raw, sizeof raw, fmt, ap);
  va_end (ap);
  one_line (raw, msg);

  if (log_sink && log_sink (level, raw, log_sink_data))
    {
      errno = saved_errno;
      return;
    }
  if (log_file_fd >= 0)
    write_log_file (level, log_file_format == LOG_FORMAT_JSON ? raw : msg);

  if (level == LOG_LEVEL_ERROR || log_file_fd < 0)
    {
      char line[sizeof msg + 100];
      int n;
      if (level == LOG_LEVEL_ERROR)
        n = snprintf (line, sizeof line, "tinyrun: %s\n", msg);
      else
        n = snprintf (line, sizeof line, "tinyrun: %s: %s\n", level_names[level], msg);
      if (n > 0)
        write_all (STDERR_FILENO, line, (size_t) n < sizeof line ? (size_t) n : sizeof line - 1);
    }
  errno = saved_errno;
}
