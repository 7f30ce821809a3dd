// RATING_CHECK: aborts with a message when an invariant is broken, in every build.
#pragma once

#include <cstdio>
#include <cstdlib>

#define RATING_CHECK(cond)                                                        \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                               \
    }                                                                             \
  } while (false)
