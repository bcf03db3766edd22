#include "config.h"
#include "oci-spec/spec.h"

#include <stdlib.h>
#include <string.h>

void
spec_free (struct spec *spec)
{
  if (spec == NULL)
    return;
  arena_free (&spec->arena);
  free (spec);
}

const struct spec_namespace *
spec_find_namespace (const struct spec *spec, enum spec_ns_type type)
{
  if (spec->linux_ == NULL)
    return NULL;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
    if (spec->linux_->namespaces[i].type == type)
      return &spec->linux_->namespaces[i];
  return NULL;
}

const char *
spec_annotation (const struct spec *spec, const char *key)
{
  for (size_t i = 0; i < spec->annotations.n; i++)
    if (strcmp (spec->annotations.v[i].key, key) == 0)
      return spec->annotations.v[i].value;
  return NULL;
}
