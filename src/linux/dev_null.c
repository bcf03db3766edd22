#include "config.h"
#include "linux/dev_null.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int
dev_null_reopen_stdio (tr_error_t *err)
{
  cleanup_close int null = open ("/dev/null", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (null < 0)
    return tr_error (err, errno, "open /dev/null");
  struct stat ns;
  if (fstat (null, &ns) < 0)
    return tr_error (err, errno, "stat /dev/null");
  if (!S_ISCHR (ns.st_mode) || major (ns.st_rdev) != 1 || minor (ns.st_rdev) != 3)
    return tr_error_plain (err, EPERM, "/dev/null in the container is not the null device (char 1:3)");
  for (int fd = 0; fd < 3; fd++)
    {
      struct stat st;
      /* A closed stdio fd stays closed. */
      if (fstat (fd, &st) < 0 || !S_ISCHR (st.st_mode) || st.st_rdev != ns.st_rdev)
        continue;
      /* Already the container's own node: nothing to do. */
      if (st.st_dev == ns.st_dev && st.st_ino == ns.st_ino)
        continue;
      if (dup3 (null, fd, 0) < 0)
        return tr_error (err, errno, "reopen fd %d on /dev/null", fd);
    }
  return 0;
}
