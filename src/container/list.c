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
      cleanup_error tr_error_t ignored = NULL;
      if (container_load (root, de->d_name, &item.st, &item.status, &ignored) < 0)
        {
          /* Being created or deleted right now: not listed. */
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
                                  c->status == STATUS_STOPPED ? 0 : c->st.pid };
    }
  return list_json_encode (e, l->n, len, err);
}
