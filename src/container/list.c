/* `list`: the walk over the state root. */
#include "config.h"
#include "container/container.h"
#include "oci-spec/list_json.h"
#include "util/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
append (struct container_list *l, const struct container_listed *item, tr_error_t *err)
{
  struct container_listed *v = realloc (l->v, (l->n + 1) * sizeof *v);
  if (v == NULL)
    return tr_error (err, ENOMEM, "list");
  l->v = v;
  v[l->n++] = *item;
  return 0;
}

/* A container whose state.json cannot be read is listed as unknown, with
 * the reason, so that it can be found and deleted. */
static bool
damaged (struct container_listed *item, const char *id, const tr_error_t failure)
{
  if (failure->status != EBADMSG)
    return false;
  container_state_clear (&item->st);
  item->st.id = arena_strdup (&item->st.arena, id);
  item->st.bundle = item->st.rootfs = item->st.created = item->st.owner = "";
  item->reason = arena_strdup (&item->st.arena, failure->msg);
  item->status = STATUS_UNKNOWN;
  return item->st.id && item->reason;
}

int
container_list (const char *root, struct container_list *out, tr_error_t *err)
{
  *out = (struct container_list){ 0 };
  cleanup_dir DIR *d = opendir (root);
  if (d == NULL)
    return errno == ENOENT ? 0 : tr_error (err, errno, "open %s", root);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      struct container_listed item = { 0 };
      cleanup_error tr_error_t failure = NULL;
      if (container_load (root, de->d_name, &item.st, &item.status, &failure) < 0
          && !damaged (&item, de->d_name, failure))
        {
          /* No record (yet, or any more): not listed. */
          container_state_clear (&item.st);
          continue;
        }
      if (append (out, &item, err) < 0)
        {
          container_state_clear (&item.st);
          return -1;
        }
    }
  return 0;
}

void
container_list_clear (struct container_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    container_state_clear (&l->v[i].st);
  free (l->v);
  *l = (struct container_list){ 0 };
}

char *
container_list_json (const struct container_list *l, size_t *len, tr_error_t *err)
{
  cleanup_free struct list_entry *e = calloc (l->n ? l->n : 1, sizeof *e);
  if (e == NULL)
    {
      tr_error (err, ENOMEM, "list");
      return NULL;
    }
  for (size_t i = 0; i < l->n; i++)
    {
      const struct container_listed *c = &l->v[i];
      e[i] = (struct list_entry){ &c->st, container_status_name (c->status),
                                  c->status == STATUS_STOPPED || c->status == STATUS_UNKNOWN ? 0 : c->st.pid,
                                  c->reason };
    }
  return list_json_encode (e, l->n, len, err);
}
