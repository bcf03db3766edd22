#include "config.h"
#include "oci-spec/json_scan.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* One open object or array: the key being read or the index reached. */
struct frame
{
  char kind; /* '{' or '[' */
  size_t index;
  const char *key; /* raw text of the current key, escapes and all */
  size_t key_len;
};

struct scan
{
  const char *text, *what;
  size_t len, pos, values;
  int depth;
  bool expect_key;
  struct frame frames[JSON_MAX_DEPTH + 1];
};

/* The JSON path of the value at the innermost position, e.g.
 * "process.env[3]"; long paths are cut short (they only go in a message). */
static void
scan_path (const struct scan *s, char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  for (int d = 1; d <= s->depth && used < size; d++)
    {
      const struct frame *f = &s->frames[d];
      int n;
      if (f->kind == '[')
        n = snprintf (buf + used, size - used, "[%zu]", f->index);
      else if (f->key != NULL)
        n = snprintf (buf + used, size - used, "%s%.*s", used ? "." : "", (int) f->key_len, f->key);
      else
        n = 0;
      used += n > 0 ? (size_t) n : 0;
    }
}

static int
scan_error (const struct scan *s, int errnum, const char *why, tr_error_t *err)
{
  char path[512];
  scan_path (s, path, sizeof path);
  if (path[0] == '\0')
    return tr_error_plain (err, errnum, "%s: %s", s->what, why);
  return tr_error_plain (err, errnum, "%s: %s: %s", s->what, path, why);
}

/* The string starting at the quote s->pos; leaves s->pos on its closing
 * quote (or at the end of an unterminated string, for yajl to report). */
static int
scan_string (struct scan *s, tr_error_t *err)
{
  size_t start = s->pos + 1, i = start;
  bool nul = false;
  while (i < s->len && s->text[i] != '"' && s->text[i] != '\0')
    {
      if (s->text[i] == '\\' && i + 1 < s->len)
        {
          if (s->text[i + 1] == 'u' && i + 6 <= s->len && memcmp (s->text + i + 2, "0000", 4) == 0)
            nul = true;
          i++;
        }
      i++;
    }
  s->pos = i;
  if (i < s->len && s->text[i] == '\0')
    return -1; /* the caller reports the NUL byte */
  struct frame *top = &s->frames[s->depth];
  bool is_key = s->depth > 0 && top->kind == '{' && s->expect_key;
  if (is_key)
    {
      top->key = s->text + start;
      top->key_len = i - start;
      s->expect_key = false;
    }
  if (i - start > JSON_MAX_STRING)
    return scan_error (s, E2BIG, is_key ? "key longer than 1 MiB" : "string longer than 1 MiB", err);
  if (nul)
    return scan_error (s, EINVAL, is_key ? "key contains a NUL character" : "contains a NUL character", err);
  return 0;
}

static int
scan_open (struct scan *s, char kind, tr_error_t *err)
{
  if (s->depth == JSON_MAX_DEPTH)
    return tr_error_plain (err, EINVAL, "%s: nested deeper than %d levels", s->what, JSON_MAX_DEPTH);
  s->frames[++s->depth] = (struct frame){ .kind = kind };
  s->expect_key = kind == '{';
  return 0;
}

/* One character outside strings. */
static int
scan_char (struct scan *s, char c, tr_error_t *err)
{
  switch (c)
    {
    case '"':
      return scan_string (s, err);
    case '{':
    case '[':
      s->values++;
      return scan_open (s, c, err);
    case '}':
    case ']':
      if (s->depth > 0)
        s->depth--;
      s->expect_key = false;
      return 0;
    case ',':
      s->values++;
      if (s->depth > 0 && s->frames[s->depth].kind == '[')
        s->frames[s->depth].index++;
      else
        s->expect_key = true;
      return 0;
    case ':':
      s->expect_key = false;
      return 0;
    default:
      return 0;
    }
}

int
json_scan (const char *text, size_t len, const char *what, size_t max_len, tr_error_t *err)
{
  if (len > max_len)
    return tr_error_plain (err, EFBIG, "%s: larger than %zu bytes", what, max_len);
  struct scan s = { .text = text, .what = what, .len = len };
  for (s.pos = 0; s.pos < len; s.pos++)
    {
      char c = text[s.pos];
      if (c == '\0' || scan_char (&s, c, err) < 0)
        {
          if (s.pos < len && text[s.pos] == '\0')
            return tr_error_plain (err, EINVAL, "%s: contains a NUL byte at offset %zu", what, s.pos);
          return -1;
        }
      if (s.values > JSON_MAX_VALUES)
        return tr_error_plain (err, E2BIG, "%s: more than %u values", what, JSON_MAX_VALUES);
    }
  return 0;
}
