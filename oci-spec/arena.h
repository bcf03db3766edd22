/* A bump allocator: everything parsed from one config.json lives in one
 * arena and is released with a single arena_free().  This keeps the parser
 * free of per-field ownership rules. */
#ifndef TINYRUN_ARENA_H
#define TINYRUN_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena
{
  struct arena_chunk *chunks;
};

/* Zero-filled memory; NULL only when malloc fails. */
void *arena_alloc (struct arena *a, size_t size);
char *arena_strdup (struct arena *a, const char *s);
char *arena_printf (struct arena *a, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void arena_free (struct arena *a);

#endif
