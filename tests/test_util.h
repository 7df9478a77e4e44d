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

static inline int test_end(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, t_checks, t_failures);
    return t_failures ? 1 : 0;
}

#endif
