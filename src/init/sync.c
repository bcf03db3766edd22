#include "config.h"
#include "init/sync.h"
#include "util/cleanup.h"
#include "util/fd_passing.h"

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
  [SYNC_ERROR] = "SYNC_ERROR",
};

const char *
sync_msg_name (enum sync_msg m)
{
  if (m >= SYNC_USERNS_READY && m <= SYNC_ERROR)
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

void
sync_send_error (int sock, const tr_error_t *cause)
{
  struct sync_message msg = { .type = SYNC_ERROR };
  if (cause && *cause)
    {
      msg.value = (*cause)->status;
      snprintf (msg.text, sizeof msg.text, "%s", (*cause)->msg);
    }
  else
    snprintf (msg.text, sizeof msg.text, "unknown error");
  send_message (sock, &msg, -1, NULL);
}

int
sync_expect (int sock, enum sync_msg want, int32_t *value, int *fd, tr_error_t *err)
{
  struct sync_message msg;
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = &msg, .iov_len = sizeof msg };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };
  memset (&msg, 0, sizeof msg);
  if (fd)
    *fd = -1;
  ssize_t n;
  do
    n = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return tr_error (err, errno, "waiting for %s", sync_msg_name (want));
  if (n == 0)
    return tr_error_plain (err, EPIPE, "the container process exited before %s", sync_msg_name (want));
  if ((size_t) n < offsetof (struct sync_message, text))
    return tr_error_plain (err, EPROTO, "short message while waiting for %s", sync_msg_name (want));
  msg.text[sizeof msg.text - 1] = '\0';

  int received_fd = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&received_fd, CMSG_DATA (c), sizeof (int));

  if (msg.type == SYNC_ERROR)
    {
      if (received_fd >= 0)
        close (received_fd);
      return tr_error_from (err, msg.value, msg.text);
    }
  if (msg.type != want)
    {
      if (received_fd >= 0)
        close (received_fd);
      return tr_error_plain (err, EPROTO, "expected %s, got %s", sync_msg_name (want), sync_msg_name (msg.type));
    }
  if (value)
    *value = msg.value;
  if (fd)
    *fd = received_fd;
  else if (received_fd >= 0)
    close (received_fd);
  return 0;
}

int
sync_wait_closed (int sock, tr_error_t *err)
{
  struct sync_message msg;
  memset (&msg, 0, sizeof msg);
  ssize_t n;
  do
    n = recv (sock, &msg, sizeof msg, 0);
  while (n < 0 && errno == EINTR);
  if (n == 0)
    return 0;
  if (n < 0)
    return tr_error (err, errno, "waiting for execve");
  msg.text[sizeof msg.text - 1] = '\0';
  if (msg.type == SYNC_ERROR)
    return tr_error_from (err, msg.value, msg.text);
  return tr_error_plain (err, EPROTO, "expected the end of the channel, got %s", sync_msg_name (msg.type));
}
