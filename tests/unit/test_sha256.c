#include "unit.h"
#include "util/sha256.h"

static void
digest (const char *text, size_t repeat, char out[65])
{
  struct sha256 s;
  sha256_init (&s);
  for (size_t i = 0; i < repeat; i++)
    sha256_update (&s, text, strlen (text));
  sha256_hex (&s, out);
}

/* FIPS 180-4 / NIST examples, around the one-block and padding edges. */
TEST (sha256_vectors)
{
  char hex[65];
  digest ("", 1, hex);
  CHECK_STR (hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  digest ("abc", 1, hex);
  CHECK_STR (hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  digest ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1, hex);
  CHECK_STR (hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  digest ("a", 1000000, hex);
  CHECK_STR (hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
