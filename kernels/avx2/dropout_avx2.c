/* dropout_avx2.c: inverted dropout 8 units at a time, the hash in two vectors of 4 64-bit
 * lanes (AVX2 has no 64-bit multiply: three 32-bit ones); per unit the integer operations and
 * the multiply of kernels/scalar/dropout_scalar.c, so the same bits. The last n % 8 units go
 * through the scalar kernel itself (AVX2's masked moves are slow on some CPUs). */
#include <immintrin.h>

#include "kernels_impl.h"

/* a * b modulo 2^64: lo*lo + ((hi(a)*lo(b) + lo(a)*hi(b)) << 32) */
static inline __m256i mullo64(__m256i a, __m256i b)
{
    const __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), b),
                                           _mm256_mul_epu32(a, _mm256_srli_epi64(b, 32)));
    return _mm256_add_epi64(_mm256_mul_epu32(a, b), _mm256_slli_epi64(cross, 32));
}

/* splitmix64's output for the states z (its increment already added: see nn2_k_mix64). */
static inline __m256i mix4(__m256i z)
{
    z = mullo64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), _mm256_set1_epi64x((long long)NN2_K_MIX64_M1));
    z = mullo64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), _mm256_set1_epi64x((long long)NN2_K_MIX64_M2));
    return _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
}

void nn2_k_dropout_avx2(int n, uint64_t key, uint32_t threshold, float keep, const float *a,
                        float *mask, float *out)
{
    /* h >> 40 < 2^24 and threshold <= 2^24: a signed 64-bit compare is exact */
    const __m256i thr = _mm256_set1_epi64x((long long)threshold), four = _mm256_set1_epi64x(4);
    __m256i z = _mm256_add_epi64(_mm256_set1_epi64x((long long)(key + NN2_K_MIX64_GAMMA)),
                                 _mm256_setr_epi64x(0, 1, 2, 3));
    const __m256 kv = _mm256_set1_ps(keep);
    int u = 0;
    for (; u + 8 <= n; u += 8) {
        const __m256i z1 = _mm256_add_epi64(z, four);
        const __m256i d0 = _mm256_cmpgt_epi64(thr, _mm256_srli_epi64(mix4(z), 40));
        const __m256i d1 = _mm256_cmpgt_epi64(thr, _mm256_srli_epi64(mix4(z1), 40));
        /* the 8 lanes' all-ones or zero, as 32-bit words in unit order: words (0 2 | 0 2) of
         * each 128-bit half of d0, d1 give units 0 1 4 5 | 2 3 6 7; the 64-bit permute fixes */
        const __m256 drop = _mm256_castpd_ps(_mm256_permute4x64_pd(
            _mm256_castps_pd(_mm256_shuffle_ps(_mm256_castsi256_ps(d0), _mm256_castsi256_ps(d1), 0x88)), 0xD8));
        const __m256 m = _mm256_andnot_ps(drop, kv);
        _mm256_storeu_ps(mask + u, m);
        _mm256_storeu_ps(out + u, _mm256_mul_ps(_mm256_loadu_ps(a + u), m));
        z = _mm256_add_epi64(z1, four);
    }
    nn2_k_dropout_scalar(n - u, key + (uint64_t)u, threshold, keep, a + u, mask + u, out + u);
}
