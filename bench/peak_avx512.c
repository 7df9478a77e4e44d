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

/* Streaming passes for the roofline (bench/roofline.c): write = 0 sums buf (reads n floats),
 * write = 1 updates it in place, buf[i] = buf[i] * a + b (reads and writes n floats), the
 * access pattern of a weight update. n: a multiple of 64. Returns a value to keep. */
float nn2_bench_stream_avx512(float *buf, long n, int write)
{
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (long i = 0; i < n; i += 64) {
        __m512 x0 = _mm512_load_ps(buf + i), x1 = _mm512_load_ps(buf + i + 16);
        __m512 x2 = _mm512_load_ps(buf + i + 32), x3 = _mm512_load_ps(buf + i + 48);
        if (write) {
            _mm512_store_ps(buf + i, _mm512_fmadd_ps(x0, a, b));
            _mm512_store_ps(buf + i + 16, _mm512_fmadd_ps(x1, a, b));
            _mm512_store_ps(buf + i + 32, _mm512_fmadd_ps(x2, a, b));
            _mm512_store_ps(buf + i + 48, _mm512_fmadd_ps(x3, a, b));
        } else {
            s0 = _mm512_add_ps(s0, x0);
            s1 = _mm512_add_ps(s1, x1);
            s2 = _mm512_add_ps(s2, x2);
            s3 = _mm512_add_ps(s3, x3);
        }
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}
