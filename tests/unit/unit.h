/* A tiny unit-test harness: TEST(name) { ... CHECK(cond); ... } */
#ifndef TINYRUN_UNIT_H
#define TINYRUN_UNIT_H

#include "config.h"

#include <stdio.h>
#include <string.h>

struct unit_test
{
  const char *name;
  void (*fn) (int *failed);
  struct unit_test *next;
};

void unit_register (struct unit_test *t);

#define TEST(name)                                                              \
  static void test_##name (int *unit_failed_);                                  \
  static struct unit_test unit_##name = { #name, test_##name, NULL };            \
  __attribute__ ((constructor)) static void register_##name (void)              \
  {                                                                             \
    unit_register (&unit_##name);                                               \
  }                                                                             \
  static void test_##name (int *unit_failed_)

#define CHECK(cond)                                                             \
  do                                                                            \
    {                                                                           \
      if (!(cond))                                                              \
        {                                                                       \
          fprintf (stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
          *unit_failed_ = 1;                                                    \
        }                                                                       \
    }                                                                           \
  while (0)

#define CHECK_STR(a, b)                                                         \
  do                                                                            \
    {                                                                           \
      const char *a_ = (a), *b_ = (b);                                          \
      if (a_ == NULL || b_ == NULL || strcmp (a_, b_) != 0)                     \
        {                                                                       \
          fprintf (stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,   \
                   a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
          *unit_failed_ = 1;                                                    \
        }                                                                       \
    }                                                                           \
  while (0)

/* The error message contains `needle`. */
#define CHECK_ERR(err, needle)                                                  \
  do                                                                            \
    {                                                                           \
      if ((err) == NULL || strstr ((err)->msg, (needle)) == NULL)              \
        {                                                                       \
          fprintf (stderr, "  %s:%d: error \"%s\" lacks \"%s\"\n", __FILE__,    \
                   __LINE__, (err) ? (err)->msg : "(none)", (needle));           \
          *unit_failed_ = 1;                                                    \
        }                                                                       \
    }                                                                           \
  while (0)

#endif
