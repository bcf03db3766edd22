#include "config.h"
#include "util/signals.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct
{
  const char *name;
  int sig;
} signal_names[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },     { "QUIT", SIGQUIT },     { "ILL", SIGILL },
  { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },   { "IOT", SIGIOT },       { "BUS", SIGBUS },
  { "FPE", SIGFPE },       { "KILL", SIGKILL },   { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },     { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CONT", SIGCONT },     { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },     { "URG", SIGURG },
  { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
  { "WINCH", SIGWINCH },   { "IO", SIGIO },       { "POLL", SIGPOLL },     { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

static int
parse_number (const char *s, int *out)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (*s == '\0' || *end != '\0' || errno || v < INT_MIN || v > INT_MAX)
    return -1;
  *out = (int) v;
  return 0;
}

int
signal_parse (const char *text, int *sig, tr_error_t *err)
{
  int n;
  if (isdigit ((unsigned char) text[0]))
    {
      if (parse_number (text, &n) < 0 || n <= 0 || n > SIGRTMAX)
        return tr_error_plain (err, EINVAL, "invalid signal \"%s\"", text);
      *sig = n;
      return 0;
    }
  const char *name = strncasecmp (text, "SIG", 3) == 0 ? text + 3 : text;
  for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
    if (strcasecmp (name, signal_names[i].name) == 0)
      {
        *sig = signal_names[i].sig;
        return 0;
      }
  /* RTMIN, RTMIN+n, RTMAX, RTMAX-n */
  if (strncasecmp (name, "RTMIN", 5) == 0 || strncasecmp (name, "RTMAX", 5) == 0)
    {
      bool min = toupper ((unsigned char) name[3]) == 'I';
      int base = min ? SIGRTMIN : SIGRTMAX, off = 0;
      const char *rest = name + 5;
      if (*rest && ((min && *rest != '+') || (!min && *rest != '-') || parse_number (rest + 1, &off) < 0))
        return tr_error_plain (err, EINVAL, "invalid signal \"%s\"", text);
      n = min ? base + off : base - off;
      if (n < SIGRTMIN || n > SIGRTMAX)
        return tr_error_plain (err, EINVAL, "invalid signal \"%s\"", text);
      *sig = n;
      return 0;
    }
  return tr_error_plain (err, EINVAL, "unknown signal \"%s\"", text);
}

void
signals_default_for_exec (void)
{
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
}
