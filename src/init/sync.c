#include "config.h"
#include "init/sync.h"
#include "util/cleanup.h"
#include "util/fd_passing.h"
#include "util/log.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const char *const msg_names[] = {
  [SYNC_USERNS_READY] = "SYNC_USERNS_READY",
  [SYNC_USERNS_MAPPED] = "SYNC_USERNS_MAPPED",
  [SYNC_INIT_PID] = "SYNC_INIT_PID",
  [SYNC_PARENT_READY] = "SYNC_PARENT_READY",
  [SYNC_CREATE_RUNTIME] = "SYNC_CREATE_RUNTIME",
  [SYNC_CREATE_RUNTIME_DONE] = "SYNC_CREATE_RUNTIME_DONE",
  [SYNC_SECCOMP_FD] = "SYNC_SECCOMP_FD",
  [SYNC_READY] = "SYNC_READY",
  [SYNC_HANDOVER] = "SYNC_HANDOVER",
  [SYNC_HANDOVER_DONE] = "SYNC_HANDOVER_DONE",
  [SYNC_ERROR] = "SYNC_ERROR",
  [SYNC_WARNING] = "SYNC_WARNING",
  [SYNC_MOUNT_SOURCE] = "SYNC_MOUNT_SOURCE",
};

const char *
sync_msg_name (enum sync_msg m)
{
  if (m >= SYNC_USERNS_READY && m <= SYNC_MOUNT_SOURCE)
    return msg_names[m];
  return "unknown message";
}

static int
send_message (int sock, const struct sync_message *msg, int fd_to_pass, tr_error_t *err)
{
  /* Only the used part of text travels (SOCK_SEQPACKET keeps boundaries). */
  size_t len = offsetof (struct sync_message, text) + strnlen (msg->text, sizeof msg->text);
  if (send_with_fd (sock, msg, len, fd_to_pass) < 0)
    return tr_error (err, errno, "send %s", sync_msg_name (msg->type));
  return 0;
}

int
sync_send (int sock, enum sync_msg type, int32_t value, int fd_to_pass, tr_error_t *err)
{
  struct sync_message msg = { .type = type, .value = value };
  return send_message (sock, &msg, fd_to_pass, err);
}

int
sync_send_text (int sock, enum sync_msg type, int32_t value, const char *text, tr_error_t *err)
{
  struct sync_message msg = { .type = type, .value = value };
  snprintf (msg.text, sizeof msg.text, "%s", text);
  return send_message (sock, &msg, -1, err);
}

void
sync_send_error (int sock, const tr_error_t *cause)
{
  const char *text = cause && *cause ? (*cause)->msg : "unknown error";
  int32_t status = cause && *cause ? (*cause)->status : 0;
  sync_send_text (sock, SYNC_ERROR, status, text, NULL);
}

/* One message: 1 when received (*received_fd: its fd or -1), 0 when the
 * peer closed the channel, -1 on a failure.  `waiting` names what the
 * caller waits for, for the errors. */
static int
receive (int sock, const char *waiting, struct sync_message *msg, int *received_fd, tr_error_t *err)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = msg, .iov_len = sizeof *msg };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };
  memset (msg, 0, sizeof *msg);
  *received_fd = -1;
  ssize_t n;
  do
    n = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return tr_error (err, errno, "waiting for %s", waiting);
  if (n == 0)
    return 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (received_fd, CMSG_DATA (c), sizeof (int));
  if ((size_t) n < offsetof (struct sync_message, text))
    {
      cleanup_close int unused = steal_fd (received_fd);
      return tr_error_plain (err, EPROTO, "short message while waiting for %s", waiting);
    }
  msg->text[sizeof msg->text - 1] = '\0';
  return 1;
}

/* The next message other than SYNC_WARNING, which is logged (as the
 * level it carries) and skipped.  0 when the peer closed the channel. */
static int
receive_skipping_warnings (int sock, const char *waiting, struct sync_message *msg, int *received_fd,
                           tr_error_t *err)
{
  for (;;)
    {
      int r = receive (sock, waiting, msg, received_fd, err);
      if (r <= 0 || msg->type != SYNC_WARNING)
        return r;
      cleanup_close int unused = steal_fd (received_fd);
      enum log_level level = msg->value >= LOG_LEVEL_ERROR && msg->value <= LOG_LEVEL_DEBUG
                                 ? (enum log_level) msg->value : LOG_LEVEL_WARNING;
      log_msg (level, "%s", msg->text);
    }
}

int
sync_expect (int sock, enum sync_msg want, int32_t *value, int *fd, tr_error_t *err)
{
  struct sync_message msg;
  cleanup_close int received_fd = -1;
  if (fd)
    *fd = -1;
  int r = receive_skipping_warnings (sock, sync_msg_name (want), &msg, &received_fd, err);
  if (r < 0)
    return -1;
  if (r == 0)
    return tr_error_plain (err, EPIPE, "the container process exited before %s", sync_msg_name (want));
  if (msg.type == SYNC_ERROR)
    return tr_error_from (err, msg.value, msg.text);
  if (msg.type != want)
    return tr_error_plain (err, EPROTO, "expected %s, got %s", sync_msg_name (want), sync_msg_name (msg.type));
  if (value)
    *value = msg.value;
  if (fd)
    *fd = steal_fd (&received_fd);
  return 0;
}

int
sync_wait_closed (int sock, tr_error_t *err)
{
  struct sync_message msg;
  cleanup_close int received_fd = -1;
  int r = receive_skipping_warnings (sock, "execve", &msg, &received_fd, err);
  if (r < 0)
    return -1;
  if (r == 0)
    return 0;
  if (msg.type == SYNC_ERROR)
    return tr_error_from (err, msg.value, msg.text);
  return tr_error_plain (err, EPROTO, "expected the end of the channel, got %s", sync_msg_name (msg.type));
}
