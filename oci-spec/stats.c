#include "config.h"
#include "oci-spec/stats.h"

#include <stdlib.h>
#include <string.h>

int
container_stats_add_raw (struct container_stats *s, const char *key, uint64_t value)
{
  struct stats_raw *v = realloc (s->raw, (s->n_raw + 1) * sizeof *v);
  if (v == NULL)
    return -1;
  s->raw = v;
  char *k = strdup (key);
  if (k == NULL)
    return -1;
  v[s->n_raw++] = (struct stats_raw){ k, value };
  return 0;
}

void
container_stats_clear (struct container_stats *s)
{
  for (size_t i = 0; i < s->n_raw; i++)
    free (s->raw[i].key);
  free (s->raw);
  memset (s, 0, sizeof *s);
}
