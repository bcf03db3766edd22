/* systemd's manager over D-Bus (sd-bus). */
#include "config.h"
#include "cgroup/systemd/dbus.h"
#include "linux/rootless.h"
#include "util/cleanup.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define PREFIX "--systemd-cgroup: "
#define UNREACHABLE PREFIX "cannot reach systemd over D-Bus: "
/* How long a job may take; systemd answers in milliseconds, a slow VM in
 * seconds. */
#define JOB_TIMEOUT_USEC (60ULL * 1000 * 1000)

#define cleanup_bus_error __attribute__ ((cleanup (sd_lib_error_freep)))
#define cleanup_bus_message __attribute__ ((cleanup (sd_lib_message_unrefp)))
#define cleanup_bus_slot __attribute__ ((cleanup (sd_lib_slot_unrefp)))

static int
connect_private (sd_bus **bus)
{
  int r = sd_lib.bus_new (bus);
  if (r < 0)
    return r;
  if ((r = sd_lib.bus_set_address (*bus, "unix:path=/run/systemd/private")) < 0 || (r = sd_lib.bus_start (*bus)) < 0)
    *bus = sd_lib.bus_flush_close_unref (*bus);
  return r;
}

int
systemd_bus_open (sd_bus **bus, tr_error_t *err)
{
  *bus = NULL;
  if (sd_lib_load (err) < 0)
    return -1;
  if (sd_lib.booted () <= 0)
    return tr_error_plain (err, EHOSTDOWN, UNREACHABLE "systemd is not running (no /run/systemd/system)");
  int r = -1;
  /* Rootless, also as uid 0 of a user namespace (rootless podman's), the
   * user's own manager starts the scope, as with runc. */
  bool user = rootless ();
  if (!user && connect_private (bus) >= 0)
    return 0;
  r = user ? sd_lib.bus_open_user (bus) : sd_lib.bus_open_system (bus);
  if (r < 0 && user)
    return tr_error (err, -r, UNREACHABLE "user bus (uid %u needs a systemd user session: user@%u.service, "
                                          "started by a login or loginctl enable-linger, and XDG_RUNTIME_DIR or "
                                          "DBUS_SESSION_BUS_ADDRESS naming its bus)",
                     (unsigned) geteuid (), (unsigned) geteuid ());
  if (r < 0)
    return tr_error (err, -r, UNREACHABLE "system bus");
  return 0;
}

/* A failed call as one line; "cannot reach" when systemd is not there. */
static int
bus_error (tr_error_t *err, int r, const sd_bus_error *e, const char *what, const char *unit)
{
  const char *msg = sd_lib.bus_error_is_set (e) ? e->message : strerror (-r);
  if (sd_lib.bus_error_has_name (e, SD_BUS_ERROR_SERVICE_UNKNOWN) || sd_lib.bus_error_has_name (e, SD_BUS_ERROR_NO_REPLY)
      || sd_lib.bus_error_has_name (e, SD_BUS_ERROR_DISCONNECTED)
      || sd_lib.bus_error_has_name (e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) || r == -ECONNRESET || r == -ENOTCONN)
    return tr_error_plain (err, EHOSTDOWN, UNREACHABLE "%s", msg);
  return tr_error_plain (err, -r, PREFIX "%s %s: %s", what, unit, msg);
}

char *
systemd_manager_cgroup (sd_bus *bus, tr_error_t *err)
{
  cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
  char *out = NULL;
  int r = sd_lib.bus_get_property_string (bus, SD_DEST, SD_PATH, SD_MANAGER, "ControlGroup", &e, &out);
  if (r < 0)
    {
      bus_error (err, r, &e, "read", "the manager's ControlGroup");
      return NULL;
    }
  size_t len = strlen (out);
  while (len > 0 && out[len - 1] == '/')
    out[--len] = '\0';
  return out;
}

static int
unit_loaded (sd_bus *bus, const char *unit, bool *loaded, tr_error_t *err)
{
  cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
  cleanup_bus_message sd_bus_message *reply = NULL;
  int r = sd_lib.bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &e, &reply, "s", unit);
  *loaded = r >= 0;
  if (r < 0 && !sd_lib.bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit"))
    return bus_error (err, r, &e, "look up", unit);
  return 0;
}

int
systemd_refuse_existing (sd_bus *bus, const char *unit, tr_error_t *err)
{
  bool loaded;
  if (unit_loaded (bus, unit, &loaded, err) < 0)
    return -1;
  if (!loaded)
    return 0;
  /* Only a failed unit is reset; an active one stays as it is. */
  cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
  if (sd_lib.bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", &e, NULL, "s", unit) < 0)
    log_debug ("reset-failed %s: %s", unit, e.message ? e.message : "failed");
  if (unit_loaded (bus, unit, &loaded, err) < 0)
    return -1;
  if (loaded)
    return tr_error_plain (err, EEXIST, PREFIX "unit %s already exists", unit);
  return 0;
}

struct job_wait
{
  char path[256]; /* the job's object path, once the call returned it */
  char result[32];
  bool done;
};

static int
on_job_removed (sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
  (void) ret_error;
  struct job_wait *w = userdata;
  uint32_t id;
  const char *path, *unit, *result;
  if (sd_lib.bus_message_read (m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  if (w->path[0] && strcmp (path, w->path) == 0)
    {
      snprintf (w->result, sizeof w->result, "%s", result);
      w->done = true;
    }
  return 0;
}

static uint64_t
now_usec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* Dispatch messages until the JobRemoved signal for w->path arrived. */
static int
wait_job (sd_bus *bus, struct job_wait *w, const char *what, const char *unit, tr_error_t *err)
{
  uint64_t deadline = now_usec () + JOB_TIMEOUT_USEC;
  while (!w->done)
    {
      int r = sd_lib.bus_process (bus, NULL);
      if (r > 0)
        continue;
      uint64_t now = now_usec ();
      if (r == 0 && now >= deadline)
        return tr_error_plain (err, ETIMEDOUT, PREFIX "%s %s: no answer from systemd for the job %s", what, unit,
                               w->path);
      if (r < 0 || (r = sd_lib.bus_wait (bus, deadline - now)) < 0)
        return tr_error (err, -r, UNREACHABLE "%s %s", what, unit);
    }
  if (strcmp (w->result, "done") != 0)
    return tr_error_plain (err, EIO, PREFIX "%s %s: the job's result is \"%s\" (see journalctl -u %s)", what,
                           unit, w->result, unit);
  return 0;
}

/* Send m, a manager method answering with a job's path, and wait for that
 * job.  *gone is set (when gone is not NULL) if systemd has no such unit. */
static int
call_job (sd_bus *bus, sd_bus_message *m, const char *what, const char *unit, bool *gone, tr_error_t *err)
{
  struct job_wait w = { .done = false };
  cleanup_bus_slot sd_bus_slot *slot = NULL;
  cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
  cleanup_bus_message sd_bus_message *reply = NULL;
  /* Before the call: the job may end before its reply is read.  No sender:
   * on systemd's private socket messages carry none. */
  int r = sd_lib.bus_match_signal (bus, &slot, NULL, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, &w);
  if (r < 0)
    return tr_error (err, -r, PREFIX "%s %s: subscribe to JobRemoved", what, unit);
  /* The system bus sends the manager's signals only to subscribers. */
  sd_lib.bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", NULL, NULL, "");
  r = sd_lib.bus_call (bus, m, JOB_TIMEOUT_USEC, &e, &reply);
  if (r < 0 && gone && sd_lib.bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit"))
    {
      *gone = true;
      return 0;
    }
  if (r < 0 && sd_lib.bus_error_has_name (&e, "org.freedesktop.systemd1.UnitExists"))
    return tr_error_plain (err, EEXIST, PREFIX "unit %s already exists", unit);
  if (r < 0)
    return bus_error (err, r, &e, what, unit);
  const char *path;
  if ((r = sd_lib.bus_message_read (reply, "o", &path)) < 0)
    return tr_error (err, -r, PREFIX "%s %s: read the job", what, unit);
  snprintf (w.path, sizeof w.path, "%s", path);
  return wait_job (bus, &w, what, unit, err);
}

static int
append_props (sd_bus_message *m, const struct systemd_props *props)
{
  int r = 0;
  for (size_t i = 0; props && i < props->n && r >= 0; i++)
    {
      const struct systemd_prop *p = &props->v[i];
      if (p->type == SYSTEMD_PROP_U64)
        r = sd_lib.bus_message_append (m, "(sv)", p->name, "t", p->u64);
      else if ((r = sd_lib.bus_message_open_container (m, 'r', "sv")) >= 0
               && (r = sd_lib.bus_message_append (m, "s", p->name)) >= 0
               && (r = sd_lib.bus_message_open_container (m, 'v', "ay")) >= 0
               && (r = sd_lib.bus_message_append_array (m, 'y', p->bytes, p->n_bytes)) >= 0
               && (r = sd_lib.bus_message_close_container (m)) >= 0)
        r = sd_lib.bus_message_close_container (m);
    }
  return r;
}

/* The scope's own properties: where it lives, what it holds, and that the
 * cgroup below it is the container's (Delegate). */
static int
append_scope_props (sd_bus_message *m, const struct systemd_scope *s)
{
  int r;
  if ((r = sd_lib.bus_message_append (m, "(sv)", "Description", "s", s->description)) < 0
      || (r = sd_lib.bus_message_append (m, "(sv)", "Slice", "s", s->slice)) < 0
      || (r = sd_lib.bus_message_append (m, "(sv)", "Delegate", "b", 1)) < 0
      || (r = sd_lib.bus_message_append (m, "(sv)", "DefaultDependencies", "b", 0)) < 0
      || (r = sd_lib.bus_message_append (m, "(sv)", "PIDs", "au", 1, (uint32_t) s->pid)) < 0)
    return r;
  const char *accounting[] = { "MemoryAccounting", "CPUAccounting", s->v2 ? "IOAccounting" : "BlockIOAccounting",
                               "TasksAccounting" };
  for (size_t i = 0; i < sizeof accounting / sizeof accounting[0]; i++)
    if ((r = sd_lib.bus_message_append (m, "(sv)", accounting[i], "b", 1)) < 0)
      return r;
  return append_props (m, s->props);
}

int
systemd_start_scope (sd_bus *bus, const struct systemd_scope *s, tr_error_t *err)
{
  cleanup_bus_message sd_bus_message *m = NULL;
  int r = sd_lib.bus_message_new_method_call (bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
  if (r >= 0 && (r = sd_lib.bus_message_append (m, "ss", s->unit, "fail")) >= 0
      && (r = sd_lib.bus_message_open_container (m, 'a', "(sv)")) >= 0 && (r = append_scope_props (m, s)) >= 0
      && (r = sd_lib.bus_message_close_container (m)) >= 0)
    r = sd_lib.bus_message_append (m, "a(sa(sv))", 0);
  if (r < 0)
    return tr_error (err, -r, PREFIX "start %s: build the message", s->unit);
  return call_job (bus, m, "start", s->unit, NULL, err);
}

int
systemd_set_properties (sd_bus *bus, const char *unit, const struct systemd_props *props, tr_error_t *err)
{
  if (props->n == 0)
    return 0;
  cleanup_bus_message sd_bus_message *m = NULL;
  cleanup_bus_message sd_bus_message *reply = NULL;
  cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = sd_lib.bus_message_new_method_call (bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
  if (r >= 0 && (r = sd_lib.bus_message_append (m, "sb", unit, 1)) >= 0
      && (r = sd_lib.bus_message_open_container (m, 'a', "(sv)")) >= 0 && (r = append_props (m, props)) >= 0)
    r = sd_lib.bus_message_close_container (m);
  if (r < 0)
    return tr_error (err, -r, PREFIX "set properties of %s: build the message", unit);
  r = sd_lib.bus_call (bus, m, JOB_TIMEOUT_USEC, &e, &reply);
  if (r < 0)
    return bus_error (err, r, &e, "set properties of", unit);
  return 0;
}

int
systemd_stop_unit (sd_bus *bus, const char *unit, tr_error_t *err)
{
  cleanup_bus_message sd_bus_message *m = NULL;
  int r = sd_lib.bus_message_new_method_call (bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit");
  if (r >= 0)
    r = sd_lib.bus_message_append (m, "ss", unit, "replace");
  if (r < 0)
    return tr_error (err, -r, PREFIX "stop %s: build the message", unit);
  bool gone = false;
  return call_job (bus, m, "stop", unit, &gone, err);
}

int
systemd_attach_processes (sd_bus *bus, const char *unit, const char *subcgroup, pid_t pid, tr_error_t *err)
{
  cleanup_bus_message sd_bus_message *m = NULL;
  cleanup_bus_message sd_bus_message *reply = NULL;
  cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = sd_lib.bus_message_new_method_call (bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "AttachProcessesToUnit");
  if (r >= 0)
    r = sd_lib.bus_message_append (m, "ssau", unit, subcgroup, 1, (uint32_t) pid);
  if (r < 0)
    return tr_error (err, -r, PREFIX "attach %d to %s: build the message", (int) pid, unit);
  r = sd_lib.bus_call (bus, m, JOB_TIMEOUT_USEC, &e, &reply);
  if (r < 0)
    return bus_error (err, r, &e, "attach a process to", unit);
  return 0;
}
