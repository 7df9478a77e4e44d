/* status.c: the version, status strings, error formatting and the aligned allocator. */
#include <stdarg.h>
#include <string.h>

#include "common.h"

const char *nn2_version(void) { return NN2_VERSION; }

/* The optional parts compiled in, each name behind a space (the first one dropped below). */
#if NN2_HAVE_X86_KERNELS
#define FEAT_X86 " x86-kernels"
#else
#define FEAT_X86 ""
#endif
#if NN2_WITH_ZLIB
#define FEAT_ZLIB " zlib"
#else
#define FEAT_ZLIB ""
#endif
#if NN2_WITH_HWLOC
#define FEAT_HWLOC " hwloc"
#else
#define FEAT_HWLOC ""
#endif
#if NN2_HAVE_MPI
#define FEAT_MPI " mpi"
#else
#define FEAT_MPI ""
#endif
#if NN2_HAVE_OPENBLAS
#define FEAT_BLAS " openblas"
#else
#define FEAT_BLAS ""
#endif
#if NN2_PROFILE
#define FEAT_PROF " profile"
#else
#define FEAT_PROF ""
#endif

const char *nn2_build_features(void)
{
    static const char list[] = FEAT_X86 FEAT_ZLIB FEAT_HWLOC FEAT_MPI FEAT_BLAS FEAT_PROF;
    return list[0] ? list + 1 : list;
}

const char *nn2_strerror(nn2_status s)
{
    switch (s) {
    case NN2_OK: return "ok";
    case NN2_ERR_IO: return "input/output error";
    case NN2_ERR_FORMAT: return "malformed file";
    case NN2_ERR_ARG: return "invalid argument";
    case NN2_ERR_NOMEM: return "out of memory";
    case NN2_ERR_NUMERIC: return "non-finite value";
    case NN2_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown error";
}

nn2_status nn2_fail(nn2_error *err, nn2_status s, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return s;
}

void *nn2_alloc(size_t n, size_t elem)
{
    size_t bytes;
    if (!nn2_mul_size(n, elem, &bytes)) return NULL;
    bytes = (bytes + 63) / 64 * 64;
    if (bytes == 0) bytes = 64;
    void *p = aligned_alloc(64, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

void nn2_free(void *p) { free(p); }

#define GUARD 4096

void *nn2_alloc_guarded(size_t n, size_t elem)
{
    size_t bytes;
    if (!nn2_mul_size(n, elem, &bytes) || bytes > SIZE_MAX - 3 * GUARD) return NULL;
    bytes = (bytes + GUARD - 1) / GUARD * GUARD + 2 * GUARD;
    char *p = aligned_alloc(GUARD, bytes);
    if (!p) return NULL;
    memset(p, 0, bytes);
    return p + GUARD;
}

void nn2_free_guarded(void *p)
{
    if (p) free((char *)p - GUARD);
}
