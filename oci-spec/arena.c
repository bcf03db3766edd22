#include "config.h"
#include "oci-spec/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_SIZE 16384

struct arena_chunk
{
  struct arena_chunk *next;
  size_t used, size;
  max_align_t data[];
};

void *
arena_alloc (struct arena *a, size_t size)
{
  size = (size + sizeof (max_align_t) - 1) & ~(sizeof (max_align_t) - 1);
  struct arena_chunk *c = a->chunks;
  if (c == NULL || c->size - c->used < size)
    {
      size_t cap = size > ARENA_CHUNK_SIZE ? size : ARENA_CHUNK_SIZE;
      c = malloc (sizeof *c + cap);
      if (c == NULL)
        return NULL;
      c->size = cap;
      c->used = 0;
      c->next = a->chunks;
      a->chunks = c;
    }
  void *p = (char *) c->data + c->used;
  c->used += size;
  memset (p, 0, size);
  return p;
}

char *
arena_strdup (struct arena *a, const char *s)
{
  size_t len = strlen (s) + 1;
  char *p = arena_alloc (a, len);
  if (p)
    memcpy (p, s, len);
  return p;
}

char *
arena_printf (struct arena *a, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  int len = vsnprintf (NULL, 0, fmt, ap);
  va_end (ap);
  if (len < 0)
    return NULL;
  char *p = arena_alloc (a, (size_t) len + 1);
  if (p == NULL)
    return NULL;
  va_start (ap, fmt);
  vsnprintf (p, (size_t) len + 1, fmt, ap);
  va_end (ap);
  return p;
}

void
arena_free (struct arena *a)
{
  struct arena_chunk *c = a->chunks;
  while (c)
    {
      struct arena_chunk *next = c->next;
      free (c);
      c = next;
    }
  a->chunks = NULL;
}
