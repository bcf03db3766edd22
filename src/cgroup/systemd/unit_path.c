/* linux.cgroupsPath "slice:prefix:name" → unit, slice and cgroup. */
#include "config.h"
#include "cgroup/systemd/unit_path.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD "linux.cgroupsPath"
#define SLICE_SUFFIX ".slice"

static bool
ends_with (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

/* The characters of a container id: what "prefix" and "name" may hold. */
static bool
plain_name (const char *s)
{
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr ("_.-", *s)))
      return false;
  return true;
}

char *
systemd_expand_slice (const char *slice, tr_error_t *err)
{
  if (!ends_with (slice, SLICE_SUFFIX) || strchr (slice, '/') != NULL)
    {
      tr_error_plain (err, EINVAL, FIELD ": slice \"%s\" is not a name ending in \".slice\"", slice);
      return NULL;
    }
  if (strcmp (slice, "-" SLICE_SUFFIX) == 0)
    return strdup ("");
  size_t len = strlen (slice) - strlen (SLICE_SUFFIX);
  cleanup_free char *stem = strndup (slice, len);
  if (stem == NULL)
    {
      tr_error (err, ENOMEM, FIELD);
      return NULL;
    }
  /* Every dash ends a parent's name: "a-b-c" has parents "a" and "a-b".
   * Empty components ("a--b", "-a", "a-") are not slice names. */
  if (!plain_name (stem) || stem[0] == '-' || stem[len - 1] == '-' || strstr (stem, "--") != NULL)
    {
      tr_error_plain (err, EINVAL, FIELD ": \"%s\" is not a valid slice name", slice);
      return NULL;
    }
  size_t size = 1;
  for (size_t i = 0; i <= len; i++)
    if (stem[i] == '-' || stem[i] == '\0')
      size += 1 + i + strlen (SLICE_SUFFIX);
  char *out = malloc (size);
  if (out == NULL)
    {
      tr_error (err, ENOMEM, FIELD);
      return NULL;
    }
  size_t used = 0;
  for (size_t i = 0; i <= len; i++)
    if (stem[i] == '-' || stem[i] == '\0')
      used += (size_t) snprintf (out + used, size - used, "/%.*s" SLICE_SUFFIX, (int) i, stem);
  return out;
}

/* Split "slice:prefix:name" into its three parts, in place. */
static int
split3 (char *text, const char *original, char **parts, tr_error_t *err)
{
  parts[0] = text;
  for (int i = 1; i < 3; i++)
    {
      char *colon = strchr (parts[i - 1], ':');
      if (colon == NULL)
        return tr_error_plain (err, EINVAL, FIELD ": \"%s\" is not slice:prefix:name", original);
      *colon = '\0';
      parts[i] = colon + 1;
    }
  if (strchr (parts[2], ':') != NULL)
    return tr_error_plain (err, EINVAL, FIELD ": \"%s\" is not slice:prefix:name", original);
  return 0;
}

static int
check_parts (char **parts, const char *original, tr_error_t *err)
{
  if (parts[2][0] == '\0')
    return tr_error_plain (err, EINVAL, FIELD ": \"%s\" is not slice:prefix:name (the name is empty)", original);
  if (!plain_name (parts[1]) || !plain_name (parts[2]))
    return tr_error_plain (err, EINVAL, FIELD ": \"%s\": the prefix and the name may hold only [A-Za-z0-9_.-]",
                           original);
  if (ends_with (parts[2], SLICE_SUFFIX))
    return tr_error_plain (err, EINVAL, FIELD ": \"%s\": the container needs a scope of its own, not a slice",
                           original);
  return 0;
}

int
systemd_unit_path_parse (const char *cgroups_path, const char *id, bool rootless, struct systemd_unit_path *out,
                         tr_error_t *err)
{
  cleanup_free char *text = NULL;
  if (cgroups_path == NULL || cgroups_path[0] == '\0')
    {
      if (asprintf (&text, ":tinyrun:%s", id) < 0)
        text = NULL;
    }
  else
    text = strdup (cgroups_path);
  if (text == NULL)
    return tr_error (err, ENOMEM, FIELD);
  const char *original = cgroups_path && cgroups_path[0] ? cgroups_path : text;
  char *parts[3] = { NULL, NULL, NULL };
  if (split3 (text, original, parts, err) < 0 || check_parts (parts, original, err) < 0)
    return -1;
  const char *slice = parts[0][0] ? parts[0] : rootless ? "user.slice" : "system.slice";
  out->slice = strdup (slice);
  if (asprintf (&out->unit, "%s%s%s.scope", parts[1], parts[1][0] ? "-" : "", parts[2]) < 0)
    out->unit = NULL;
  if (out->slice == NULL || out->unit == NULL)
    {
      systemd_unit_path_clear (out);
      return tr_error (err, ENOMEM, FIELD);
    }
  out->dir = systemd_expand_slice (out->slice, err);
  if (out->dir == NULL)
    {
      systemd_unit_path_clear (out);
      return -1;
    }
  return 0;
}

void
systemd_unit_path_clear (struct systemd_unit_path *p)
{
  free (steal_ptr (&p->slice));
  free (steal_ptr (&p->unit));
  free (steal_ptr (&p->dir));
}

bool
systemd_unit_of_cgroup (const char *path, const char **unit, char *slice, size_t slice_size)
{
  const char *base = strrchr (path, '/');
  if (base == NULL || !ends_with (base + 1, ".scope"))
    return false;
  *unit = base + 1;
  const char *start = base;
  while (start > path && start[-1] != '/')
    start--;
  size_t len = (size_t) (base - start);
  if (len == 0 || len < strlen (SLICE_SUFFIX) || strncmp (base - strlen (SLICE_SUFFIX), SLICE_SUFFIX, strlen (SLICE_SUFFIX)) != 0)
    snprintf (slice, slice_size, "-" SLICE_SUFFIX);
  else
    snprintf (slice, slice_size, "%.*s", (int) len, start);
  return true;
}
