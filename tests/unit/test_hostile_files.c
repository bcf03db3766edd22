#include "unit.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

TEST (echo_escapes_and_cuts)
{
  char buf[TR_ECHO_SIZE];
  CHECK_STR (tr_echo ("c1", buf), "c1");
  CHECK_STR (tr_echo ("a\nb\tc\\d\x01\x7f", buf), "a\\nb\\tc\\\\d\\x01\\x7f");
  char long_[200];
  memset (long_, 'h', sizeof long_ - 1);
  long_[sizeof long_ - 1] = '\0';
  tr_echo (long_, buf);
  CHECK (strlen (buf) == TR_ECHO_CHARS + 3);
  CHECK (strcmp (buf + TR_ECHO_CHARS, "...") == 0);
  /* 63 ASCII bytes then "é" (2 bytes) straddling the cut: dropped whole. */
  char utf[80];
  memset (utf, 'a', 63);
  strcpy (utf + 63, "\xc3\xa9zz");
  tr_echo (utf, buf);
  CHECK (strlen (buf) == 63 + 3 && buf[62] == 'a' && buf[63] == '.');
  /* All control characters at the maximum length fit the buffer. */
  char ctl[100];
  memset (ctl, 1, sizeof ctl - 1);
  ctl[sizeof ctl - 1] = '\0';
  tr_echo (ctl, buf);
  CHECK (strlen (buf) == TR_ECHO_CHARS * 4 + 3);
}

TEST (read_regular_file_refuses_fifo_device_and_size)
{
  char dir[] = "/tmp/tinyrun-unit-XXXXXX";
  CHECK (mkdtemp (dir) != NULL);
  cleanup_close int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  tr_error_t err = NULL;
  size_t len = 0;

  CHECK (mkfifoat (dfd, "fifo", 0600) == 0);
  CHECK (read_regular_file_at (dfd, "fifo", "doc", 100, &len, &err) == NULL);
  CHECK_ERR (err, "doc: not a regular file");

  CHECK (symlinkat ("/dev/zero", dfd, "zero") == 0);
  CHECK (read_regular_file_at (dfd, "zero", "doc", 100, &len, &err) == NULL);
  CHECK_ERR (err, "doc: not a regular file");

  CHECK (write_file_atomic_at (dfd, "ok", "0123456789", 10, 0600, &err) == 0);
  CHECK (symlinkat ("ok", dfd, "link") == 0);
  cleanup_free char *text = read_regular_file_at (dfd, "link", "doc", 10, &len, &err);
  CHECK (text != NULL && len == 10 && strcmp (text, "0123456789") == 0);
  CHECK (read_regular_file_at (dfd, "ok", "doc", 9, &len, &err) == NULL);
  CHECK_ERR (err, "doc: larger than 9 bytes");
  CHECK (err && err->status == EFBIG);
  tr_error_free (&err);

  const char *names[] = { "fifo", "zero", "ok", "link" };
  for (size_t i = 0; i < 4; i++)
    unlinkat (dfd, names[i], 0);
  rmdir (dir);
}
