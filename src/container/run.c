/* `run` in the foreground: create, start, relay signals (and the terminal,
 * when there is one and no console socket), wait, delete. */
#include "config.h"
#include "container/run.h"
#include "container/supervise.h"
#include "init/init.h"
#include "linux/terminal.h"
#include "linux/tty_relay.h"

static int
delete_after_failure (const struct create_options *o)
{
  tr_error_t ignored = NULL;
  container_delete (o->root, o->id, true, &ignored);
  tr_error_free (&ignored);
  return -1;
}

int
container_run (const struct create_options *o, bool detach, bool keep, int *exit_status, tr_error_t *err)
{
  struct created_container c = { .pty_master = -1 };
  *exit_status = 0;
  if (detach)
    {
      if (container_create (o, &c, err) < 0)
        return -1;
      return container_start (o->root, o->id, true, err);
    }

  cleanup_supervisor struct supervisor sup = SUPERVISOR_INIT;
  cleanup_tty_relay struct tty_relay relay = TTY_RELAY_INIT;
  if (supervisor_start (&sup, err) < 0 || container_create (o, &c, err) < 0)
    return -1;
  /* start does not wait for the exec: the wait for the exit below
   * follows at once, and start.error then tells an init that failed
   * before its execve from the user's process. */
  if ((c.pty_master >= 0 && terminal_clear_onlcr (c.pty_master, err) < 0)
      || tty_relay_start (&relay, c.pty_master, err) < 0 || container_start (o->root, o->id, false, err) < 0)
    return delete_after_failure (o);
  *exit_status = supervisor_wait (&sup, c.pid, &relay);
  if (*exit_status == INIT_EXIT_START_FAILED && container_start_failure (o->root, o->id, err) < 0)
    return delete_after_failure (o);
  if (!keep && container_delete (o->root, o->id, true, err) < 0)
    return -1;
  return 0;
}
