/* peak_avx512.c: this core's single-precision FMA peak: 24 independent accumulator chains of
 * 16-lane FMAs (enough to cover latency x ports on current cores). Returns FLOPs done. */
#include <immintrin.h>

double nn2_bench_fma_avx512(long iters)
{
    __m512 acc[24];
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    _Pragma("GCC unroll 24") for (int i = 0; i < 24; i++) acc[i] = _mm512_set1_ps((float)i);
    for (long it = 0; it < iters; it++) {
        _Pragma("GCC unroll 24") for (int i = 0; i < 24; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    __m512 s = acc[0];
    _Pragma("GCC unroll 24") for (int i = 1; i < 24; i++) s = _mm512_add_ps(s, acc[i]);
    volatile float sink = _mm512_reduce_add_ps(s);
    (void)sink;
    return (double)iters * 24 * 16 * 2;
}
