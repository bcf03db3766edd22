/* The criu command line of a request: a pure function (linux/criu.h). */
#include "config.h"
#include "linux/criu.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_names[] = {
  [CRIU_CHECK] = "check",
  [CRIU_DUMP] = "dump",
  [CRIU_PRE_DUMP] = "pre-dump",
  [CRIU_RESTORE] = "restore",
};

static const struct
{
  unsigned flag;
  const char *option;
} flag_options[] = {
  { CRIU_LEAVE_RUNNING, "--leave-running" },   { CRIU_TCP_ESTABLISHED, "--tcp-established" },
  { CRIU_EXT_UNIX_SK, "--ext-unix-sk" },       { CRIU_SHELL_JOB, "--shell-job" },
  { CRIU_FILE_LOCKS, "--file-locks" },         { CRIU_AUTO_DEDUP, "--auto-dedup" },
  { CRIU_LAZY_PAGES, "--lazy-pages" },         { CRIU_TRACK_MEM, "--track-mem" },
};

const char *
criu_action_name (enum criu_action a)
{
  return (unsigned) a < sizeof action_names / sizeof action_names[0] ? action_names[a] : "?";
}

bool
criu_cgroups_mode_valid (const char *mode)
{
  static const char *const modes[] = { "none", "soft", "full", "strict", "ignore" };
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    if (strcmp (mode, modes[i]) == 0)
      return true;
  return false;
}

static int
add (struct criu_argv *a, char *s, tr_error_t *err)
{
  if (s == NULL)
    return tr_error (err, ENOMEM, "criu arguments");
  char **v = realloc (a->v, (a->n + 2) * sizeof *v);
  if (v == NULL)
    {
      free (s);
      return tr_error (err, ENOMEM, "criu arguments");
    }
  v[a->n++] = s;
  v[a->n] = NULL;
  a->v = v;
  return 0;
}

static int
add2 (struct criu_argv *a, const char *option, const char *value, tr_error_t *err)
{
  if (value == NULL)
    return 0;
  if (add (a, strdup (option), err) < 0)
    return -1;
  return add (a, strdup (value), err);
}

static char *
format (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static char *
format (const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  va_start (ap, fmt);
  int n = vasprintf (&s, fmt, ap);
  va_end (ap);
  return n < 0 ? NULL : s;
}

/* --external and --inherit-fd: a key with "]" or a value with a newline
 * would change what criu reads, so they are refused. */
static int
add_maps (struct criu_argv *a, const struct criu_request *r, tr_error_t *err)
{
  for (size_t i = 0; i < r->n_externals; i++)
    {
      const struct criu_external *e = &r->externals[i];
      if (strchr (e->key, ']') || strchr (e->key, '\n') || (e->value && strchr (e->value, '\n')))
        return tr_error_plain (err, EINVAL, "criu --external %s[%s]: a path with \"]\" or a newline", e->kind, e->key);
      if (add (a, strdup ("--external"), err) < 0)
        return -1;
      if (add (a, e->value ? format ("%s[%s]:%s", e->kind, e->key, e->value) : format ("%s[%s]", e->kind, e->key),
               err) < 0)
        return -1;
    }
  for (size_t i = 0; i < r->n_inherits; i++)
    if (add (a, strdup ("--inherit-fd"), err) < 0
        || add (a, format ("fd[%d]:%s", r->inherits[i].fd, r->inherits[i].key), err) < 0)
      return -1;
  return 0;
}

static int
add_action_options (struct criu_argv *a, const struct criu_request *r, tr_error_t *err)
{
  if (r->action == CRIU_DUMP || r->action == CRIU_PRE_DUMP)
    {
      if (add (a, strdup ("--tree"), err) < 0 || add (a, format ("%d", (int) r->pid), err) < 0)
        return -1;
      if (add2 (a, "--prev-images-dir", r->parent_dir, err) < 0
          || add2 (a, "--freeze-cgroup", r->freeze_cgroup, err) < 0)
        return -1;
    }
  if (r->action == CRIU_RESTORE)
    {
      /* The init becomes the child of tinyrun (as runc's RstSibling),
       * and criu returns once the tree runs. */
      if (add (a, strdup ("--restore-detached"), err) < 0 || add (a, strdup ("--restore-sibling"), err) < 0
          || add2 (a, "--pidfile", r->pid_file, err) < 0 || add2 (a, "--cgroup-root", r->cgroup_root, err) < 0
          || add2 (a, "--lsm-profile", r->lsm_profile, err) < 0
          || add2 (a, "--lsm-mount-context", r->lsm_mount_context, err) < 0)
        return -1;
    }
  if (r->action != CRIU_PRE_DUMP)
    {
      const char *mode = r->manage_cgroups_mode ? r->manage_cgroups_mode : "soft";
      if (!criu_cgroups_mode_valid (mode))
        return tr_error_plain (err, EINVAL, "manage-cgroups-mode \"%s\": not none, soft, full, strict or ignore", mode);
      if (add (a, format ("--manage-cgroups=%s", mode), err) < 0)
        return -1;
    }
  return add2 (a, "--empty-ns", r->empty_ns, err);
}

static int
build (const struct criu_request *r, struct criu_argv *a, tr_error_t *err)
{
  if (add (a, strdup (r->binary ? r->binary : CRIU_DEFAULT_BINARY), err) < 0
      || add (a, strdup (action_names[r->action]), err) < 0)
    return -1;
  if (add2 (a, "--work-dir", r->work_dir, err) < 0 || add2 (a, "--log-file", r->log_file, err) < 0)
    return -1;
  if (r->action == CRIU_CHECK)
    return 0;
  if (add2 (a, "--images-dir", r->image_dir, err) < 0 || add (a, strdup ("-v4"), err) < 0
      || add2 (a, "--root", r->root, err) < 0)
    return -1;
  if (add_action_options (a, r, err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof flag_options / sizeof flag_options[0]; i++)
    if ((r->flags & flag_options[i].flag) && add (a, strdup (flag_options[i].option), err) < 0)
      return -1;
  return add_maps (a, r, err);
}

int
criu_argv_build (const struct criu_request *r, struct criu_argv *out, tr_error_t *err)
{
  *out = (struct criu_argv){ 0 };
  if ((unsigned) r->action >= sizeof action_names / sizeof action_names[0])
    return tr_error_plain (err, EINVAL, "criu: unknown action %d", (int) r->action);
  if (r->action != CRIU_CHECK && r->image_dir == NULL)
    return tr_error_plain (err, EINVAL, "criu %s: no image directory", action_names[r->action]);
  return build (r, out, err);
}

void
criu_argv_clear (struct criu_argv *a)
{
  for (size_t i = 0; i < a->n; i++)
    free (a->v[i]);
  free (a->v);
  *a = (struct criu_argv){ 0 };
}
