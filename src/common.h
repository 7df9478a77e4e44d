/* common.h: internal helpers shared by the library: asserts, error messages, checked sizes,
 * aligned allocation. */
#ifndef NN2_COMMON_H
#define NN2_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "nn2.h"

/* Always-on check for programming errors (never for bad input, which returns a status). */
#define NN2_ASSERT(x)                                                                           \
    do {                                                                                        \
        if (!(x)) {                                                                             \
            fprintf(stderr, "nn2: assertion failed at %s:%d: %s\n", __FILE__, __LINE__, #x);   \
            abort();                                                                            \
        }                                                                                       \
    } while (0)

/* Fill err (if not NULL) with a printf-style message and return s. */
nn2_status nn2_fail(nn2_error *err, nn2_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* a*b with overflow check: returns 0 and leaves *out alone on overflow. */
static inline int nn2_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

/* 64-byte aligned, zeroed; NULL on failure or overflow of n*elem. */
void *nn2_alloc(size_t n, size_t elem);
void nn2_free(void *p);
/* The same for a buffer one thread streams through on every step: page-aligned, with a page
 * of padding on either side, so that the hardware prefetchers running past its ends fetch
 * nothing another thread writes. Freed with nn2_free_guarded. */
void *nn2_alloc_guarded(size_t n, size_t elem);
void nn2_free_guarded(void *p);

#endif
