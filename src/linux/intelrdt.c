#include "config.h"
#include "linux/intelrdt.h"
#include "linux/mountinfo.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define RESCTRL_DEFAULT "/sys/fs/resctrl"
#define RDTGROUP_SUPER_MAGIC 0x7655821
#define RECORD "intelrdt"

int
rdt_find_root (char *root, size_t size, tr_error_t *err)
{
  struct statfs fs;
  if (statfs (RESCTRL_DEFAULT, &fs) == 0 && fs.f_type == RDTGROUP_SUPER_MAGIC)
    {
      snprintf (root, size, "%s", RESCTRL_DEFAULT);
      return 0;
    }
  cleanup_mountinfo struct mountinfo mi = { 0 };
  if (mountinfo_read (&mi, err) < 0)
    return tr_error_wrap (err, "linux.intelRdt");
  for (size_t i = 0; i < mi.n; i++)
    if (strcmp (mi.v[i].fstype, "resctrl") == 0)
      {
        snprintf (root, size, "%s", mi.v[i].mountpoint);
        return 0;
      }
  return tr_error_plain (err, ENOTSUP, "linux.intelRdt: resctrl filesystem is not mounted (no Intel RDT on this host)");
}

static bool
has_schema (const struct spec_intel_rdt *rdt)
{
  return (rdt->l3_cache_schema && rdt->l3_cache_schema[0]) || (rdt->mem_bw_schema && rdt->mem_bw_schema[0])
         || rdt->schemata.n > 0;
}

/* The CTRL_MON group: closID ("/" the root), else the container id. */
static void
group_path (const char *root, const struct spec_intel_rdt *rdt, const char *id, char *out, size_t size)
{
  const char *clos = rdt->clos_id && rdt->clos_id[0] ? rdt->clos_id : id;
  if (strcmp (clos, "/") == 0)
    snprintf (out, size, "%s", root);
  else
    snprintf (out, size, "%s/%s", root, clos);
}

/* An error of a resctrl file, with the kernel's own explanation. */
static int
rdt_error (tr_error_t *err, int errnum, const char *root, const char *what, const char *path)
{
  char status_path[PATH_MAX], status[256] = "";
  snprintf (status_path, sizeof status_path, "%s/info/last_cmd_status", root);
  cleanup_close int fd = open (status_path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, status, sizeof status - 1) : -1;
  status[n > 0 ? n : 0] = '\0';
  status[strcspn (status, "\n")] = '\0';
  if (status[0] && strcmp (status, "ok") != 0)
    return tr_error (err, errnum, "linux.intelRdt: %s %s (resctrl: %s)", what, path, status);
  return tr_error (err, errnum, "linux.intelRdt: %s %s", what, path);
}

static int
write_pid (const char *root, const char *dir, pid_t pid, tr_error_t *err)
{
  char path[PATH_MAX], text[32];
  snprintf (path, sizeof path, "%s/tasks", dir);
  snprintf (text, sizeof text, "%d", (int) pid);
  cleanup_error tr_error_t ignored = NULL;
  if (write_file_at (AT_FDCWD, path, text, &ignored) < 0)
    return rdt_error (err, ignored->status, root, "add the process to", path);
  return 0;
}

/* l3CacheSchema, memBwSchema, then schemata[], one line each, one write. */
static int
write_schemata (const char *root, const char *dir, const struct spec_intel_rdt *rdt, tr_error_t *err)
{
  char text[8192] = "", path[PATH_MAX];
  size_t len = 0;
  const char *first[] = { rdt->l3_cache_schema, rdt->mem_bw_schema };
  for (size_t i = 0; i < 2 + rdt->schemata.n; i++)
    {
      const char *line = i < 2 ? first[i] : rdt->schemata.v[i - 2];
      if (line == NULL || line[0] == '\0')
        continue;
      int n = snprintf (text + len, sizeof text - len, "%s\n", line);
      if (n < 0 || (size_t) n >= sizeof text - len)
        return tr_error_plain (err, E2BIG, "linux.intelRdt: the schemata are longer than %zu bytes", sizeof text);
      len += (size_t) n;
    }
  if (snprintf (path, sizeof path, "%s/schemata", dir) >= (int) sizeof path)
    return tr_error_plain (err, ENAMETOOLONG, "linux.intelRdt: %s: path too long", dir);
  cleanup_error tr_error_t ignored = NULL;
  if (write_file_at (AT_FDCWD, path, text, &ignored) < 0)
    return rdt_error (err, ignored->status, root, "write the schemata to", path);
  return 0;
}

/* The MON group: made when missing, the pid in it. */
static int
join_mon_group (const char *root, const char *group, const char *id, pid_t pid, bool make, tr_error_t *err)
{
  char mon[PATH_MAX];
  snprintf (mon, sizeof mon, "%s/mon_groups/%s", group, id);
  if (make && mkdir (mon, 0755) < 0 && errno != EEXIST)
    return rdt_error (err, errno, root, "create the monitoring group", mon);
  if (!make && access (mon, F_OK) < 0)
    return 0;
  return write_pid (root, mon, pid, err);
}

/* What delete removes: the group tinyrun made for a container without
 * closID, else its MON group, else nothing (runtime-spec). */
static int
record_removal (int state_dirfd, const struct spec_intel_rdt *rdt, const char *group, const char *id, bool created,
                tr_error_t *err)
{
  char text[PATH_MAX + 64] = "";
  if (created && (rdt->clos_id == NULL || rdt->clos_id[0] == '\0'))
    snprintf (text, sizeof text, "%s\n", group);
  else if (rdt->enable_monitoring.v)
    snprintf (text, sizeof text, "%s/mon_groups/%s\n", group, id);
  return write_file_atomic_at (state_dirfd, RECORD, text, strlen (text), 0600, err);
}

int
rdt_apply_at (const char *root, const struct spec_intel_rdt *rdt, const char *id, pid_t pid, int state_dirfd,
              tr_error_t *err)
{
  char group[PATH_MAX];
  group_path (root, rdt, id, group, sizeof group);
  bool clos_given = rdt->clos_id && rdt->clos_id[0];
  if (clos_given && !has_schema (rdt) && access (group, F_OK) < 0)
    return tr_error_plain (err, ENOENT,
                           "linux.intelRdt.closID: %s does not exist (without a schema the group must be made "
                           "beforehand)",
                           group);
  bool created = false;
  if (strcmp (group, root) != 0)
    {
      if (mkdir (group, 0755) == 0)
        created = true;
      else if (errno != EEXIST)
        return rdt_error (err, errno, root, "create the group", group);
    }
  if (record_removal (state_dirfd, rdt, group, id, created, err) < 0)
    {
      if (created)
        rmdir (group);
      return tr_error_wrap (err, "linux.intelRdt: record %s", group);
    }
  if ((has_schema (rdt) && write_schemata (root, group, rdt, err) < 0) || write_pid (root, group, pid, err) < 0)
    return -1;
  if (rdt->enable_monitoring.v && join_mon_group (root, group, id, pid, true, err) < 0)
    return -1;
  log_debug ("intelRdt: %d in %s%s", (int) pid, group, rdt->enable_monitoring.v ? " (monitored)" : "");
  return 0;
}

int
rdt_apply (const struct spec_intel_rdt *rdt, const char *id, pid_t pid, int state_dirfd, tr_error_t *err)
{
  char root[PATH_MAX];
  if (rdt == NULL)
    return 0;
  if (rdt_find_root (root, sizeof root, err) < 0)
    return -1;
  return rdt_apply_at (root, rdt, id, pid, state_dirfd, err);
}

int
rdt_enter (const struct spec_intel_rdt *rdt, const char *id, pid_t pid, tr_error_t *err)
{
  char root[PATH_MAX], group[PATH_MAX];
  if (rdt == NULL)
    return 0;
  if (rdt_find_root (root, sizeof root, err) < 0)
    return -1;
  group_path (root, rdt, id, group, sizeof group);
  /* As runc's setns process: only a group that is there. */
  if (access (group, F_OK) < 0)
    return 0;
  if (write_pid (root, group, pid, err) < 0)
    return -1;
  return rdt->enable_monitoring.v ? join_mon_group (root, group, id, pid, false, err) : 0;
}

int
rdt_release (int state_dirfd, tr_error_t *err)
{
  cleanup_error tr_error_t missing = NULL;
  size_t len;
  cleanup_free char *text = read_file_at (state_dirfd, RECORD, &len, &missing);
  if (text == NULL)
    {
      if (missing->status == ENOENT)
        return 0;
      return tr_error (err, missing->status, "linux.intelRdt: read the record " RECORD);
    }
  text[strcspn (text, "\n")] = '\0';
  if (text[0] == '\0')
    return 0;
  /* The kernel moves any task still in it to the parent group. */
  if (rmdir (text) < 0 && errno != ENOENT)
    return tr_error (err, errno, "linux.intelRdt: remove %s", text);
  log_debug ("intelRdt: removed %s", text);
  return 0;
}

static int
validate_fields (const struct spec_intel_rdt *rdt, tr_error_t *err)
{
  const char *clos = rdt->clos_id ? rdt->clos_id : "";
  char shown[TR_ECHO_SIZE];
  if (strcmp (clos, ".") == 0 || strcmp (clos, "..") == 0 || (strcmp (clos, "/") != 0 && strchr (clos, '/')))
    return tr_error_plain (err, EINVAL, "linux.intelRdt.closID: \"%s\" is not a group name", tr_echo (clos, shown));
  if (rdt->l3_cache_schema && strchr (rdt->l3_cache_schema, '\n'))
    return tr_error_plain (err, EINVAL, "linux.intelRdt.l3CacheSchema: must be one line");
  const char *mb = rdt->mem_bw_schema;
  if (mb && mb[0] && (strncmp (mb, "MB:", 3) != 0 || strchr (mb, '\n')))
    return tr_error_plain (err, EINVAL, "linux.intelRdt.memBwSchema: \"%s\" is not one line starting with \"MB:\"",
                           tr_echo (mb, shown));
  for (size_t i = 0; i < rdt->schemata.n; i++)
    if (strchr (rdt->schemata.v[i], '\n'))
      return tr_error_plain (err, EINVAL, "linux.intelRdt.schemata[%zu]: must be one line", i);
  return 0;
}

/* A feature of this host's resctrl: a directory under info/. */
static int
need_info (const char *root, const char *dir, const char *field, const char *what, tr_error_t *err)
{
  char path[PATH_MAX];
  int n = snprintf (path, sizeof path, "%s/info/%s", root, dir);
  if (n < (int) sizeof path && access (path, F_OK) == 0)
    return 0;
  return tr_error_plain (err, ENOTSUP, "linux.intelRdt.%s: this host has no %s (no %s)", field, what, path);
}

int
rdt_validate (const struct spec_intel_rdt *rdt, tr_error_t *err)
{
  char root[PATH_MAX];
  if (rdt == NULL)
    return 0;
  if (validate_fields (rdt, err) < 0 || rdt_find_root (root, sizeof root, err) < 0)
    return -1;
  if (rdt->l3_cache_schema && rdt->l3_cache_schema[0]
      && need_info (root, "L3", "l3CacheSchema", "L3 cache allocation (CAT)", err) < 0)
    return -1;
  if (rdt->mem_bw_schema && rdt->mem_bw_schema[0]
      && need_info (root, "MB", "memBwSchema", "memory bandwidth allocation (MBA)", err) < 0)
    return -1;
  if (rdt->enable_monitoring.v && need_info (root, "L3_MON", "enableMonitoring", "resctrl monitoring", err) < 0)
    return -1;
  return 0;
}
