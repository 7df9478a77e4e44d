/* dropout_avx512.c: inverted dropout 16 units at a time, the hash in two vectors of 8 64-bit
 * lanes (AVX512DQ's 64-bit multiply); per unit the integer operations and the multiply of
 * kernels/scalar/dropout_scalar.c, so the same bits. */
#include <immintrin.h>

#include "kernels_impl.h"

/* splitmix64's output for the states z (its increment already added: see nn2_k_mix64). */
static inline __m512i mix8(__m512i z)
{
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), _mm512_set1_epi64((long long)NN2_K_MIX64_M1));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), _mm512_set1_epi64((long long)NN2_K_MIX64_M2));
    return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

void nn2_k_dropout_avx512(int n, uint64_t key, uint32_t threshold, float keep, const float *a,
                          float *mask, float *out)
{
    const __m512i thr = _mm512_set1_epi64((long long)threshold), eight = _mm512_set1_epi64(8);
    __m512i z = _mm512_add_epi64(_mm512_set1_epi64((long long)(key + NN2_K_MIX64_GAMMA)),
                                 _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
    const __m512 kv = _mm512_set1_ps(keep);
    for (int u = 0; u < n; u += 16) {
        const __m512i z1 = _mm512_add_epi64(z, eight);
        const __mmask8 d0 = _mm512_cmplt_epu64_mask(_mm512_srli_epi64(mix8(z), 40), thr);
        const __mmask8 d1 = _mm512_cmplt_epu64_mask(_mm512_srli_epi64(mix8(z1), 40), thr);
        const __mmask16 drop = (__mmask16)(d0 | ((unsigned)d1 << 8));
        const __m512 m = _mm512_maskz_mov_ps((__mmask16)~drop, kv);
        if (n - u >= 16) {
            _mm512_storeu_ps(mask + u, m);
            _mm512_storeu_ps(out + u, _mm512_mul_ps(_mm512_loadu_ps(a + u), m));
        } else { /* the tail under a mask: nothing past n read or written */
            const __mmask16 t = (__mmask16)((1u << (n - u)) - 1u);
            _mm512_mask_storeu_ps(mask + u, t, m);
            _mm512_mask_storeu_ps(out + u, t, _mm512_mul_ps(_mm512_maskz_loadu_ps(t, a + u), m));
        }
        z = _mm512_add_epi64(z1, eight);
    }
}
