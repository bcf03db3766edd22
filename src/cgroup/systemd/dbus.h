/* The calls tinyrun makes to systemd's manager over D-Bus, with
 * libsystemd's sd-bus (loaded by systemd_bus_open, sd_lib.h): connect,
 * start a transient scope, set its properties, stop it, each waiting for
 * its job.  Errors start with "--systemd-cgroup:". */
#ifndef TINYRUN_CGROUP_SYSTEMD_DBUS_H
#define TINYRUN_CGROUP_SYSTEMD_DBUS_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup/systemd/properties.h"
#include "cgroup/systemd/sd_lib.h"
#include "util/error.h"

#define cleanup_sd_bus __attribute__ ((cleanup (sd_lib_bus_closep)))

/* root: systemd's private socket (as systemctl), else the system bus;
 * other users: their own manager on the user bus. */
int systemd_bus_open (sd_bus **bus, tr_error_t *err);

/* The manager's own cgroup ("" for the system manager), where its slices
 * start.  Caller frees. */
char *systemd_manager_cgroup (sd_bus *bus, tr_error_t *err);

/* Refuse a unit that is loaded already; a failed leftover of ours is
 * reset first (ResetFailedUnit), as runc does, and then it is gone. */
int systemd_refuse_existing (sd_bus *bus, const char *unit, tr_error_t *err);

struct systemd_scope
{
  const char *unit;  /* "tinyrun-c1.scope" */
  const char *slice; /* "system.slice" */
  const char *description;
  pid_t pid;
  bool v2;
  const struct systemd_props *props;
};

/* StartTransientUnit with Delegate=yes, the pid in PIDs and props; waits
 * for the job (JobRemoved) and fails unless it is "done". */
int systemd_start_scope (sd_bus *bus, const struct systemd_scope *s, tr_error_t *err);

/* SetUnitProperties (runtime, not persisted). */
int systemd_set_properties (sd_bus *bus, const char *unit, const struct systemd_props *props, tr_error_t *err);

/* StopUnit and wait for the job; a unit that is gone already is fine. */
int systemd_stop_unit (sd_bus *bus, const char *unit, tr_error_t *err);

/* AttachProcessesToUnit: pid into the unit's cgroup, or into subcgroup
 * ("/a/b") below it.  A user manager that may not move it itself (the
 * process is outside its subtree) asks the system manager, which moves a
 * process of the same user. */
int systemd_attach_processes (sd_bus *bus, const char *unit, const char *subcgroup, pid_t pid, tr_error_t *err);

#endif
