/* libsystemd through dlopen (see sd_lib.h). */
#include "config.h"
#include "cgroup/systemd/sd_lib.h"
#include "util/dl_table.h"

#include <errno.h>
#include <stddef.h>

struct sd_lib sd_lib;

#define SD_LIB_NAME "libsystemd.so.0"

/* Each member of struct sd_lib and the symbol that fills it. */
static const struct dl_symbol symbols[] = {
#define SYM(member, name) { name, offsetof (struct sd_lib, member) }
  SYM (booted, "sd_booted"),
  SYM (bus_new, "sd_bus_new"),
  SYM (bus_set_address, "sd_bus_set_address"),
  SYM (bus_start, "sd_bus_start"),
  SYM (bus_open_system, "sd_bus_open_system"),
  SYM (bus_open_user, "sd_bus_open_user"),
  SYM (bus_flush_close_unref, "sd_bus_flush_close_unref"),
  SYM (bus_process, "sd_bus_process"),
  SYM (bus_wait, "sd_bus_wait"),
  SYM (bus_call, "sd_bus_call"),
  SYM (bus_call_method, "sd_bus_call_method"),
  SYM (bus_get_property_string, "sd_bus_get_property_string"),
  SYM (bus_match_signal, "sd_bus_match_signal"),
  SYM (bus_slot_unref, "sd_bus_slot_unref"),
  SYM (bus_message_new_method_call, "sd_bus_message_new_method_call"),
  SYM (bus_message_append, "sd_bus_message_append"),
  SYM (bus_message_append_array, "sd_bus_message_append_array"),
  SYM (bus_message_open_container, "sd_bus_message_open_container"),
  SYM (bus_message_close_container, "sd_bus_message_close_container"),
  SYM (bus_message_read, "sd_bus_message_read"),
  SYM (bus_message_unref, "sd_bus_message_unref"),
  SYM (bus_error_free, "sd_bus_error_free"),
  SYM (bus_error_is_set, "sd_bus_error_is_set"),
  SYM (bus_error_has_name, "sd_bus_error_has_name"),
#undef SYM
};

int
sd_lib_load (tr_error_t *err)
{
  static void *handle;
  if (handle)
    return 0;
  struct sd_lib lib;
  void *h = dl_table_load ("--systemd-cgroup", SD_LIB_NAME, "libsystemd0", symbols, sizeof symbols / sizeof symbols[0],
                           &lib, err);
  if (h == NULL)
    return -1;
  sd_lib = lib;
  handle = h;
  return 0;
}

void
sd_lib_bus_closep (sd_bus **bus)
{
  if (*bus)
    sd_lib.bus_flush_close_unref (*bus);
}

void
sd_lib_message_unrefp (sd_bus_message **m)
{
  if (*m)
    sd_lib.bus_message_unref (*m);
}

void
sd_lib_slot_unrefp (sd_bus_slot **slot)
{
  if (*slot)
    sd_lib.bus_slot_unref (*slot);
}

void
sd_lib_error_freep (sd_bus_error *e)
{
  /* An error is only ever set by a call through a loaded sd_lib. */
  if (e->name || e->message)
    sd_lib.bus_error_free (e);
}
