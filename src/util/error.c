#include "config.h"
#include "util/error.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Allocation failure while building an error leaves a static message:
 * there is nothing better to do and no reason to crash. */
static struct tr_error_s oom_error = { ENOMEM, (char *) "out of memory" };

static void
set_error (tr_error_t *err, int errnum, char *msg)
{
  if (err == NULL)
    {
      free (msg);
      return;
    }
  tr_error_free (err);
  if (msg == NULL)
    {
      *err = &oom_error;
      return;
    }
  struct tr_error_s *e = malloc (sizeof *e);
  if (e == NULL)
    {
      free (msg);
      *err = &oom_error;
      return;
    }
  e->status = errnum;
  e->msg = msg;
  *err = e;
}

int
tr_verror (tr_error_t *err, int errnum, const char *fmt, va_list ap)
{
  char *text = NULL, *msg = NULL;
  if (vasprintf (&text, fmt, ap) < 0)
    text = NULL;
  if (text != NULL && errnum != 0)
    {
      if (asprintf (&msg, "%s: %s", text, strerror (errnum)) < 0)
        msg = NULL;
      free (text);
    }
  else
    msg = text;
  set_error (err, errnum, msg);
  return -1;
}

int
tr_error (tr_error_t *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  tr_verror (err, errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int
tr_error_plain (tr_error_t *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  tr_verror (err, 0, fmt, ap);
  va_end (ap);
  if (err && *err && (*err)->msg)
    (*err)->status = errnum;
  return -1;
}

int
tr_error_from (tr_error_t *err, int errnum, const char *msg)
{
  set_error (err, errnum, strdup (msg));
  return -1;
}

int
tr_error_wrap (tr_error_t *err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL || *err == &oom_error)
    return -1;
  char *prefix = NULL, *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    prefix = NULL;
  va_end (ap);
  if (prefix == NULL || asprintf (&msg, "%s: %s", prefix, (*err)->msg) < 0)
    {
      free (prefix);
      return -1;
    }
  free (prefix);
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

void
tr_error_free (tr_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  if (*err != &oom_error)
    {
      free ((*err)->msg);
      free (*err);
    }
  *err = NULL;
}

void
tr_error_ignore (tr_error_t *err, const char *why)
{
  if (err == NULL || *err == NULL)
    return;
  log_debug ("%s: %s", why, (*err)->msg);
  tr_error_free (err);
}

static size_t
echo_one (unsigned char c, char *out)
{
  const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\\' ? "\\\\" : NULL;
  if (named)
    {
      memcpy (out, named, 2);
      return 2;
    }
  if (c < 0x20 || c == 0x7f)
    {
      snprintf (out, 5, "\\x%02x", c);
      return 4;
    }
  *out = (char) c;
  return 1;
}

const char *
tr_echo (const char *s, char buf[static TR_ECHO_SIZE])
{
  size_t used = 0, i = 0;
  for (; s[i] && i < TR_ECHO_CHARS; i++)
    used += echo_one ((unsigned char) s[i], buf + used);
  if (s[i])
    {
      /* Do not leave half a UTF-8 sequence before the ellipsis: bytes
       * from 0x80 up were copied as they are, one for one. */
      size_t cut = i;
      while (cut > 0 && ((unsigned char) s[cut] & 0xc0) == 0x80 && ((unsigned char) s[cut - 1] & 0x80))
        cut--;
      if (cut < i)
        used -= i - cut;
      memcpy (buf + used, "...", 3);
      used += 3;
    }
  buf[used] = '\0';
  return buf;
}
