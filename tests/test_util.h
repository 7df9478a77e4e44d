/* test_util.h: a minimal check macro for the plain-C tests; each test exits non-zero on any
 * failed check, 77 when it must be skipped. */
#ifndef NN2_TEST_UTIL_H
#define NN2_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failures, t_checks;

#define CHECK(cond, ...)                                                                        \
    do {                                                                                        \
        t_checks++;                                                                             \
        if (!(cond)) {                                                                          \
            t_failures++;                                                                       \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                    \
            fprintf(stderr, __VA_ARGS__);                                                       \
            fputc('\n', stderr);                                                                \
        }                                                                                       \
    } while (0)

/* The larger of a and b, a NaN in either sticking (fmax would drop it, and a check of the result
 * would pass). Written without fmax: GCC 12 for aarch64 stops with an internal compiler error
 * (in vect_transform_reduction) when it vectorizes a loop reducing with fmax at -O3. */
static inline double max_nan(double a, double b)
{
    if (a != a) return a;
    return b > a || b != b ? b : a;
}

static inline int test_end(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, t_checks, t_failures);
    return t_failures ? 1 : 0;
}

#endif
