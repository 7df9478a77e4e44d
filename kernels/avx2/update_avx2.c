/* update_avx2.c: the optimizer step 8 parameters at a time, the tail under a mask; per element
 * the operations of kernels/scalar/update_scalar.c in the same order (no FMA), so the same bits. */
#include <immintrin.h>

#include "kernels_impl.h"

static inline __m256 sgn256(__m256 w)
{
    const __m256 zero = _mm256_setzero_ps();
    const __m256 gt = _mm256_cmp_ps(w, zero, _CMP_GT_OQ), lt = _mm256_cmp_ps(w, zero, _CMP_LT_OQ);
    return _mm256_or_ps(_mm256_and_ps(gt, _mm256_set1_ps(1.0f)), _mm256_and_ps(lt, _mm256_set1_ps(-1.0f)));
}

/* The kind's branches are the same for every element (predicted, and unswitched by -O3). */
void nn2_k_update_avx2(int n, float *w, const float *g, float *v, const nn2_kupd *u)
{
    const int kind = u->kind, reg = u->reg, nest = u->nesterov;
    const __m256 scale = _mm256_set1_ps(u->scale), decay = _mm256_set1_ps(u->decay);
    const __m256 l1 = _mm256_set1_ps(u->l1), inv_m = _mm256_set1_ps(u->inv_m);
    const __m256 lam_n = _mm256_set1_ps(u->lam_n), mu = _mm256_set1_ps(u->mu), eta = _mm256_set1_ps(u->eta);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int i = 0; i < n; i += 8) {
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(n - i), lane); /* lanes < n - i */
        const __m256 W = _mm256_maskload_ps(w + i, m), g_ = _mm256_maskload_ps(g + i, m);
        __m256 out;
        if (kind == NN2_KUPD_SGD) {
            out = _mm256_sub_ps(W, _mm256_mul_ps(scale, g_));
        } else if (kind == NN2_KUPD_SGD_L2) {
            out = _mm256_sub_ps(_mm256_mul_ps(decay, W), _mm256_mul_ps(scale, g_));
        } else if (kind == NN2_KUPD_SGD_L1) {
            out = _mm256_sub_ps(_mm256_sub_ps(W, _mm256_mul_ps(l1, sgn256(W))), _mm256_mul_ps(scale, g_));
        } else {
            __m256 G = _mm256_mul_ps(g_, inv_m);
            if (reg == 1) G = _mm256_add_ps(G, _mm256_mul_ps(lam_n, W));
            else if (reg == 2) G = _mm256_add_ps(G, _mm256_mul_ps(lam_n, sgn256(W)));
            const __m256 V = _mm256_maskload_ps(v + i, m);
            const __m256 vn = _mm256_sub_ps(_mm256_mul_ps(mu, V), _mm256_mul_ps(eta, G));
            _mm256_maskstore_ps(v + i, m, vn);
            out = nest ? _mm256_sub_ps(_mm256_add_ps(W, _mm256_mul_ps(mu, vn)), _mm256_mul_ps(eta, G))
                       : _mm256_add_ps(W, vn);
        }
        _mm256_maskstore_ps(w + i, m, out);
    }
}
