/* Paths below /sys/fs/cgroup, reached from one O_PATH fd of it.
 *
 * A path walk from "/" to a cgroup crosses sysfs ("/sys", "/sys/fs"), and
 * revalidating a sysfs dentry takes sysfs's kernfs lock for reading.  The
 * kernel holds that lock for writing while it makes or removes the sysfs
 * entries of a network namespace's devices: the container's lo while its
 * namespace is made (linux/netns_ahead.h, at the same time as the
 * cgroups), and the namespace's teardown once its last process has exited
 * (at the same time as delete's rmdirs).  Walked from the fd, a cgroup path
 * never touches sysfs, and has three components fewer.
 *
 * The fd is opened once per process, in `create` before the network
 * namespace task starts (cgroupfs_prepare), else at the first use.  It
 * is a host directory: the init closes it first thing, with the other
 * runtime fds it inherits (init/init.h), and exec's child closes every
 * runtime fd before it goes near the container.  A path outside
 * /sys/fs/cgroup (a hierarchy mounted elsewhere) is used as it is.
 *
 * Each call is the *at() form of the syscall it is named after, with its
 * result and errno. */
#ifndef TINYRUN_CGROUP_ROOT_FD_H
#define TINYRUN_CGROUP_ROOT_FD_H

#include <dirent.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

/* Open the fd now (once per process); its number, or -1 where
 * /sys/fs/cgroup cannot be opened (paths are then walked from "/"). */
int cgroupfs_prepare (void);

int cgroupfs_open (const char *path, int flags);
int cgroupfs_mkdir (const char *path, mode_t mode);
int cgroupfs_rmdir (const char *path);
int cgroupfs_stat (const char *path, struct stat *st);
int cgroupfs_statfs (const char *path, struct statfs *st);
DIR *cgroupfs_opendir (const char *path);

#endif
