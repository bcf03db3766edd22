/* libsystemd, loaded with dlopen only when --systemd-cgroup needs it: a
 * runtime that does not talk to systemd maps neither it nor what it pulls
 * in (libgcrypt, liblzma, libzstd, liblz4...), about 0.5 ms and 1.2 MiB
 * of every start.  The header gives the types; sd_lib holds the few
 * functions tinyrun calls, filled by sd_lib_load. */
#ifndef TINYRUN_CGROUP_SYSTEMD_SD_LIB_H
#define TINYRUN_CGROUP_SYSTEMD_SD_LIB_H

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "util/error.h"

struct sd_lib
{
  int (*booted) (void);
  int (*bus_new) (sd_bus **bus);
  int (*bus_set_address) (sd_bus *bus, const char *address);
  int (*bus_start) (sd_bus *bus);
  int (*bus_open_system) (sd_bus **bus);
  int (*bus_open_user) (sd_bus **bus);
  sd_bus *(*bus_flush_close_unref) (sd_bus *bus);
  int (*bus_process) (sd_bus *bus, sd_bus_message **r);
  int (*bus_wait) (sd_bus *bus, uint64_t timeout_usec);
  int (*bus_call) (sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *e, sd_bus_message **reply);
  int (*bus_call_method) (sd_bus *bus, const char *dest, const char *path, const char *iface, const char *member,
                          sd_bus_error *e, sd_bus_message **reply, const char *types, ...);
  int (*bus_get_property_string) (sd_bus *bus, const char *dest, const char *path, const char *iface,
                                  const char *member, sd_bus_error *e, char **out);
  int (*bus_match_signal) (sd_bus *bus, sd_bus_slot **slot, const char *sender, const char *path,
                           const char *iface, const char *member, sd_bus_message_handler_t cb, void *userdata);
  sd_bus_slot *(*bus_slot_unref) (sd_bus_slot *slot);
  int (*bus_message_new_method_call) (sd_bus *bus, sd_bus_message **m, const char *dest, const char *path,
                                      const char *iface, const char *member);
  int (*bus_message_append) (sd_bus_message *m, const char *types, ...);
  int (*bus_message_append_array) (sd_bus_message *m, char type, const void *ptr, size_t size);
  int (*bus_message_open_container) (sd_bus_message *m, char type, const char *contents);
  int (*bus_message_close_container) (sd_bus_message *m);
  int (*bus_message_read) (sd_bus_message *m, const char *types, ...);
  sd_bus_message *(*bus_message_unref) (sd_bus_message *m);
  void (*bus_error_free) (sd_bus_error *e);
  int (*bus_error_is_set) (const sd_bus_error *e);
  int (*bus_error_has_name) (const sd_bus_error *e, const char *name);
};

/* Valid after sd_lib_load succeeded. */
extern struct sd_lib sd_lib;

/* dlopen libsystemd.so.0 (once) and look up every function of sd_lib;
 * "--systemd-cgroup: libsystemd.so.0: ..." when it is missing. */
int sd_lib_load (tr_error_t *err);

/* Cleanup attributes that do nothing for NULL (so also before a load). */
void sd_lib_bus_closep (sd_bus **bus);
void sd_lib_message_unrefp (sd_bus_message **m);
void sd_lib_slot_unrefp (sd_bus_slot **slot);
void sd_lib_error_freep (sd_bus_error *e);

#endif
