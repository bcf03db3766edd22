/* Checkpoint and restore with criu (linux/criu.h), with runc's semantics:
 * a checkpoint dumps the init's process tree into an image directory and,
 * unless asked to leave it running (or only pre-dumping its memory), the
 * container is destroyed; a restore makes a new container of the same id
 * from its bundle and the images, running. */
#ifndef TINYRUN_CHECKPOINT_H
#define TINYRUN_CHECKPOINT_H

#include <stdbool.h>

#include "util/error.h"

/* What both directions pass on to criu. */
struct criu_common_options
{
  const char *criu;       /* the binary (tinyrun --criu); NULL: criu from PATH */
  const char *image_path; /* NULL: ./checkpoint, as runc */
  const char *work_path;  /* NULL: the image path */
  const char *manage_cgroups_mode; /* NULL: soft */
  const char *empty_ns;   /* --empty-ns network: leave the netns to the caller */
  bool tcp_established;
  bool ext_unix_sk;
  bool shell_job;
  bool file_locks;
  bool auto_dedup;
  bool lazy_pages;
};

struct checkpoint_options
{
  const char *root;
  const char *id;
  struct criu_common_options c;
  const char *parent_path; /* a pre-dump's image dir, relative to image_path */
  bool leave_running;
  bool pre_dump;
};

struct restore_options
{
  const char *root;
  const char *id;
  struct criu_common_options c;
  const char *bundle; /* NULL: the current directory */
  const char *pid_file;
  const char *console_socket;
  const char *lsm_profile;       /* criu --lsm-profile TYPE:NAME (podman, for a pod) */
  const char *lsm_mount_context; /* criu --lsm-mount-context */
  bool detach;
  bool systemd_cgroup;
};

int container_checkpoint (const struct checkpoint_options *o, tr_error_t *err);

/* With detach, returns once the restored container runs; else waits for
 * its init, deletes the container and returns its exit status in
 * *exit_status. */
int container_restore (const struct restore_options *o, int *exit_status, tr_error_t *err);

#endif
