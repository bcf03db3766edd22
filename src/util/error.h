/* One error type for all of tinyrun.
 *
 * Every fallible function takes `tr_error_t *err` as its last parameter and
 * returns a negative value (or NULL) on failure, after filling *err:
 *
 *     if (mount (src, dst, type, flags, data) < 0)
 *       return tr_error (err, errno, "mount %s on %s", src, dst);
 *
 * The error keeps errno (`(*err)->status`) so a caller can branch on ENOENT or
 * EPERM.  Callers add context on the way up with tr_error_wrap(); the message
 * is printed once, at the top, by the command. */
#ifndef TINYRUN_ERROR_H
#define TINYRUN_ERROR_H

#include <stdarg.h>

struct tr_error_s
{
  int status;   /* errno value, or 0 when there is none */
  char *msg;    /* "step: detail[: strerror]" */
};
typedef struct tr_error_s *tr_error_t;

/* Set *err to "<fmt>: <strerror(errnum)>" (no strerror when errnum is 0).
 * Always returns -1 so it can be returned directly. */
int tr_error (tr_error_t *err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
int tr_verror (tr_error_t *err, int errnum, const char *fmt, va_list ap);

/* Like tr_error() but without the strerror suffix: the message already
 * says it all ("container \"c1\" does not exist"), errnum is kept for
 * callers that branch on it. */
int tr_error_plain (tr_error_t *err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Prefix the message in *err with "<fmt>: ".  Returns -1. */
int tr_error_wrap (tr_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Rebuild an error that crossed a process boundary (errno + text). */
int tr_error_from (tr_error_t *err, int errnum, const char *msg);

void tr_error_free (tr_error_t *err);

/* A user-controlled string made fit for a one-line message: control
 * characters, DEL and backslash escaped (\n, \t, \\, \x01), and cut after
 * TR_ECHO_CHARS bytes of the original with "..." appended.  Returns buf. */
#define TR_ECHO_CHARS 64
#define TR_ECHO_SIZE (TR_ECHO_CHARS * 4 + 4)
const char *tr_echo (const char *s, char buf[static TR_ECHO_SIZE]);

/* Drop an error that a caller decided to tolerate; logs it at debug level
 * so that the decision is visible with --debug. */
void tr_error_ignore (tr_error_t *err, const char *why);

#endif
