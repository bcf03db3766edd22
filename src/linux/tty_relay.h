/* `run -t` without a console socket: tinyrun itself sits between the
 * user's terminal and the container's pty, like runc does. */
#ifndef TINYRUN_TTY_RELAY_H
#define TINYRUN_TTY_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <termios.h>

#include "util/error.h"

struct tty_relay
{
  int master; /* -1: no relay */
  bool stdin_open;
  bool raw;
  struct termios saved;
};

/* Take the pty master (or -1); put our stdin in raw mode if it is a tty. */
int tty_relay_start (struct tty_relay *r, int master, tr_error_t *err);
/* Fill up to two pollfds; returns how many. */
nfds_t tty_relay_pollfds (struct tty_relay *r, struct pollfd *fds);
/* Copy whatever poll() said is ready. */
void tty_relay_pump (struct tty_relay *r, struct pollfd *fds);
/* Copy what is left in the pty after the process exited. */
void tty_relay_drain (struct tty_relay *r);
/* Our terminal's size → the container's (on SIGWINCH). */
void tty_relay_resize (struct tty_relay *r);
/* Restore the terminal and close the master. */
void tty_relay_stop (struct tty_relay *r);

/* A relay stopped (terminal restored, master closed) at the end of its
 * scope; initialise it with TTY_RELAY_INIT. */
#define cleanup_tty_relay __attribute__ ((cleanup (tty_relay_stop)))
#define TTY_RELAY_INIT { .master = -1 }

#endif
