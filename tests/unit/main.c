/* Runs every registered unit test; ends with "N passed, N failed". */
#include "unit.h"

#include <stdlib.h>

static struct unit_test *tests;

void
unit_register (struct unit_test *t)
{
  t->next = tests;
  tests = t;
}

int
main (int argc, char **argv)
{
  int passed = 0, failed = 0;
  /* Registration order is reversed; run in source order. */
  struct unit_test *rev = NULL;
  while (tests)
    {
      struct unit_test *next = tests->next;
      tests->next = rev;
      rev = tests;
      tests = next;
    }
  for (struct unit_test *t = rev; t; t = t->next)
    {
      if (argc > 1 && strstr (t->name, argv[1]) == NULL)
        continue;
      int f = 0;
      t->fn (&f);
      printf ("%s %s\n", f ? "FAIL" : "ok  ", t->name);
      if (f)
        failed++;
      else
        passed++;
    }
  printf ("%d passed, %d failed\n", passed, failed);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
