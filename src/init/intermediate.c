#include "config.h"
#include "init/intermediate.h"
#include "init/init_ops.h"
#include "init/spawn.h"
#include "init/sync.h"
#include "init/sync_log.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

/* A new user namespace, whose maps the parent writes. */
static int
create_user_namespace (struct init_context *ctx, tr_error_t *err)
{
  if (tr_sys->unshare (CLONE_NEWUSER) < 0)
    return tr_error (err, errno, "create user namespace");
  if (sync_send (ctx->sync_fd, SYNC_USERNS_READY, 0, -1, err) < 0
      || sync_expect (ctx->sync_fd, SYNC_USERNS_MAPPED, NULL, NULL, err) < 0)
    return -1;
  /* Become the namespace's root (if root is mapped). */
  if (tr_sys->setresgid (0, 0, 0) < 0 || tr_sys->setresuid (0, 0, 0) < 0)
    log_debug ("become root in the user namespace: %s", strerror (errno));
  return 0;
}

static int
enter_namespaces (struct init_context *ctx, tr_error_t *err)
{
  const struct ns_plan *plan = ctx->plan;
  if (init_ops->self_protect (err) < 0)
    return -1;
  /* Every joined namespace, in runc's order (see ns_join), before any
   * is created: the new ones then belong to the joined user namespace. */
  if (init_ops->ns_join (plan, ctx->join_fds, ~0UL, err) < 0)
    return -1;
  if (plan->new_user && create_user_namespace (ctx, err) < 0)
    return -1;
  if (tr_sys->unshare ((int) (plan->new_flags & ~(unsigned long) CLONE_NEWUSER)) < 0)
    return tr_error (err, errno, "create namespaces");
  if (plan->new_time && tr_sys->unshare (CLONE_NEWTIME) < 0)
    return tr_error (err, errno, "create time namespace");
  if (plan->new_time && timens_write_offsets (ctx->spec, err) < 0)
    return -1;
  return 0;
}

_Noreturn void
init_intermediate (struct init_context *ctx)
{
  tr_error_t err = NULL;
  bool unused;
  init_log_to_sync (&ctx->sync_fd);
  if (enter_namespaces (ctx, &err) == 0)
    {
      /* CLONE_PARENT: the init becomes the runtime's child, not ours, so
       * the runtime can wait for it and we can simply exit. */
      pid_t pid = spawn_clone (CLONE_PARENT | (ctx->plan->new_pid ? CLONE_NEWPID : 0), -1, &unused);
      if (pid == 0)
        init_main (ctx);
      if (pid < 0)
        tr_error (&err, errno, "clone the container process");
      else if (sync_send (ctx->sync_fd, SYNC_INIT_PID, pid, -1, &err) == 0)
        _exit (0);
    }
  sync_send_error (ctx->sync_fd, &err);
  _exit (1);
}
