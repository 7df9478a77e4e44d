/* update_avx512.c: the optimizer step 16 parameters at a time, the tail under a mask; per
 * element the operations of kernels/scalar/update_scalar.c in the same order (no FMA), so the
 * same bits. */
#include <immintrin.h>

#include "kernels_impl.h"

static inline __m512 sgn512(__m512 w)
{
    const __m512 zero = _mm512_setzero_ps();
    const __mmask16 gt = _mm512_cmp_ps_mask(w, zero, _CMP_GT_OQ);
    const __mmask16 lt = _mm512_cmp_ps_mask(w, zero, _CMP_LT_OQ); /* NaN: neither */
    return _mm512_mask_mov_ps(_mm512_maskz_mov_ps(gt, _mm512_set1_ps(1.0f)), lt, _mm512_set1_ps(-1.0f));
}

/* The kind's branches are the same for every element (predicted, and unswitched by -O3); the
 * coefficients are read once (through u inside the loop they would be re-read after every
 * store: a store to w may alias *u as far as the compiler knows). */
void nn2_k_update_avx512(int M, int n, float *w0, int ldw, const float *g0, int ldg, float *v0,
                         const nn2_kupd *u)
{
    const int kind = u->kind, reg = u->reg, nest = u->nesterov;
    const __m512 scale = _mm512_set1_ps(u->scale), decay = _mm512_set1_ps(u->decay);
    const __m512 l1 = _mm512_set1_ps(u->l1), inv_m = _mm512_set1_ps(u->inv_m);
    const __m512 lam_n = _mm512_set1_ps(u->lam_n), mu = _mm512_set1_ps(u->mu), eta = _mm512_set1_ps(u->eta);
    for (int row = 0; row < M; row++) {
        float *w = w0 + (size_t)row * ldw, *v = v0 ? v0 + (size_t)row * ldw : NULL;
        const float *g = g0 + (size_t)row * ldg;
        for (int i = 0; i < n; i += 16) {
            const __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
            const __m512 W = _mm512_maskz_loadu_ps(m, w + i), g_ = _mm512_maskz_loadu_ps(m, g + i);
            __m512 out;
            if (kind == NN2_KUPD_SGD) {
                out = _mm512_sub_ps(W, _mm512_mul_ps(scale, g_));
            } else if (kind == NN2_KUPD_SGD_L2) {
                out = _mm512_sub_ps(_mm512_mul_ps(decay, W), _mm512_mul_ps(scale, g_));
            } else if (kind == NN2_KUPD_SGD_L1) {
                out = _mm512_sub_ps(_mm512_sub_ps(W, _mm512_mul_ps(l1, sgn512(W))), _mm512_mul_ps(scale, g_));
            } else {
                __m512 G = _mm512_mul_ps(g_, inv_m);
                if (reg == 1) G = _mm512_add_ps(G, _mm512_mul_ps(lam_n, W));
                else if (reg == 2) G = _mm512_add_ps(G, _mm512_mul_ps(lam_n, sgn512(W)));
                const __m512 V = _mm512_maskz_loadu_ps(m, v + i);
                const __m512 vn = _mm512_sub_ps(_mm512_mul_ps(mu, V), _mm512_mul_ps(eta, G));
                _mm512_mask_storeu_ps(v + i, m, vn);
                out = nest ? _mm512_sub_ps(_mm512_add_ps(W, _mm512_mul_ps(mu, vn)), _mm512_mul_ps(eta, G))
                           : _mm512_add_ps(W, vn);
            }
            _mm512_mask_storeu_ps(w + i, m, out);
        }
    }
}
