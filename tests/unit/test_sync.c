/* The sync protocol's checks (init/sync.h), over a real socketpair. */
#include "unit.h"
#include "init/sync.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void
pair (int sv[2])
{
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    sv[0] = sv[1] = -1;
}

TEST (sync_expect_accepts_expected)
{
  int sv[2];
  pair (sv);
  tr_error_t err = NULL;
  int32_t value = 0;
  CHECK (sync_send (sv[1], SYNC_INIT_PID, 1234, -1, &err) == 0);
  CHECK (sync_expect (sv[0], SYNC_INIT_PID, &value, NULL, &err) == 0);
  CHECK (value == 1234 && err == NULL);
  close (sv[0]);
  close (sv[1]);
}

TEST (sync_expect_rejects_unexpected)
{
  int sv[2];
  pair (sv);
  tr_error_t err = NULL;
  CHECK (sync_send (sv[1], SYNC_READY, 0, -1, &err) == 0);
  CHECK (sync_expect (sv[0], SYNC_CREATE_RUNTIME, NULL, NULL, &err) < 0);
  CHECK_ERR (err, "expected SYNC_CREATE_RUNTIME, got SYNC_READY");
  CHECK (err && err->status == EPROTO);
  tr_error_free (&err);
  close (sv[0]);
  close (sv[1]);
}

TEST (sync_error_becomes_callers_error)
{
  int sv[2];
  pair (sv);
  tr_error_t cause = NULL, err = NULL;
  tr_error_plain (&cause, EACCES, "pivot_root: mount / refused");
  sync_send_error (sv[1], &cause);
  CHECK (sync_expect (sv[0], SYNC_READY, NULL, NULL, &err) < 0);
  CHECK (err && err->status == EACCES);
  CHECK_ERR (err, "pivot_root: mount / refused");
  tr_error_free (&err);
  /* Also where the end of the channel is awaited. */
  sync_send_error (sv[1], &cause);
  CHECK (sync_wait_closed (sv[0], &err) < 0);
  CHECK (err && err->status == EACCES);
  tr_error_free (&err);
  tr_error_free (&cause);
  close (sv[0]);
  close (sv[1]);
}

TEST (sync_closed_channel)
{
  int sv[2];
  pair (sv);
  tr_error_t err = NULL;
  close (sv[1]);
  CHECK (sync_expect (sv[0], SYNC_PARENT_READY, NULL, NULL, &err) < 0);
  CHECK_ERR (err, "the container process exited before SYNC_PARENT_READY");
  CHECK (err && err->status == EPIPE);
  tr_error_free (&err);
  CHECK (sync_wait_closed (sv[0], &err) == 0);
  close (sv[0]);
}

TEST (sync_passes_fds)
{
  int sv[2];
  pair (sv);
  tr_error_t err = NULL;
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC), got = -1;
  CHECK (sync_send (sv[1], SYNC_READY, 0, fd, &err) == 0);
  CHECK (sync_expect (sv[0], SYNC_READY, NULL, &got, &err) == 0);
  struct stat a, b;
  CHECK (got >= 0 && got != fd && fstat (fd, &a) == 0 && fstat (got, &b) == 0);
  CHECK (a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  CHECK ((fcntl (got, F_GETFD) & FD_CLOEXEC) != 0);
  close (got);
  /* Without an fd, *fd is -1. */
  CHECK (sync_send (sv[1], SYNC_READY, 0, -1, &err) == 0);
  CHECK (sync_expect (sv[0], SYNC_READY, NULL, &got, &err) == 0 && got == -1);
  close (fd);
  close (sv[0]);
  close (sv[1]);
}

static char logged[1024];

static bool
capture (enum log_level level, const char *msg, void *data)
{
  (void) data;
  size_t used = strlen (logged);
  snprintf (logged + used, sizeof logged - used, "%d:%s\n", (int) level, msg);
  return true;
}

/* SYNC_WARNING is logged through the receiver's logger and skipped. */
TEST (sync_warnings_are_logged_and_skipped)
{
  int sv[2];
  pair (sv);
  tr_error_t err = NULL;
  int32_t value = 0;
  logged[0] = '\0';
  log_set_sink (capture, NULL);
  CHECK (sync_send_text (sv[1], SYNC_WARNING, LOG_LEVEL_WARNING, "capability CAP_X dropped", &err) == 0);
  CHECK (sync_send_text (sv[1], SYNC_WARNING, LOG_LEVEL_INFO, "second", &err) == 0);
  CHECK (sync_send (sv[1], SYNC_INIT_PID, 7, -1, &err) == 0);
  CHECK (sync_expect (sv[0], SYNC_INIT_PID, &value, NULL, &err) == 0 && value == 7);
  /* And while waiting for the end of the channel. */
  CHECK (sync_send_text (sv[1], SYNC_WARNING, LOG_LEVEL_WARNING, "third", &err) == 0);
  close (sv[1]);
  CHECK (sync_wait_closed (sv[0], &err) == 0);
  log_set_sink (NULL, NULL);
  char want[256];
  snprintf (want, sizeof want, "%d:capability CAP_X dropped\n%d:second\n%d:third\n", LOG_LEVEL_WARNING,
            LOG_LEVEL_INFO, LOG_LEVEL_WARNING);
  CHECK_STR (logged, want);
  CHECK (err == NULL);
  close (sv[0]);
}
