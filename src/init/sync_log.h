/* The log sink of the init (and of an `exec` child): while the sync
 * channel is open, every message it logs travels to the runtime as
 * SYNC_WARNING, and the runtime's sync_expect() logs it with --log and
 * --log-format.  Once the channel is closed (`create` has returned),
 * messages go the usual way (the log file, else stderr). */
#ifndef TINYRUN_SYNC_LOG_H
#define TINYRUN_SYNC_LOG_H

/* Send log messages over *sync_fd while it is >= 0; NULL stops. */
void init_log_to_sync (const int *sync_fd);

#endif
