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

/* The step's coefficients, broadcast once (read through u inside the loop, they would be
 * reloaded after every store: a store to w may alias *u as far as the compiler knows). */
typedef struct {
    __m256 scale, decay, l1, inv_m, lam_n, mu, eta;
} coef;

/* One vector of 8 (m: the lanes to load and store, all but in the tail, whose masked moves
 * are slow on some CPUs: plain ones for full vectors). */
static inline __attribute__((always_inline)) void step8(int kind, int reg, int nest, int hasg,
                                                        int full, __m256i m, float *w,
                                                        const float *g, float *v, const coef *c)
{
    const __m256 W = full ? _mm256_loadu_ps(w) : _mm256_maskload_ps(w, m);
    const __m256 g_ = !hasg  ? _mm256_setzero_ps()
                      : full ? _mm256_loadu_ps(g)
                             : _mm256_maskload_ps(g, m);
    __m256 out;
    if (kind == NN2_KUPD_SGD) {
        out = _mm256_sub_ps(W, _mm256_mul_ps(c->scale, g_));
    } else if (kind == NN2_KUPD_SGD_L2) {
        out = _mm256_sub_ps(_mm256_mul_ps(c->decay, W), _mm256_mul_ps(c->scale, g_));
    } else if (kind == NN2_KUPD_SGD_L1) {
        out = _mm256_sub_ps(_mm256_sub_ps(W, _mm256_mul_ps(c->l1, sgn256(W))), _mm256_mul_ps(c->scale, g_));
    } else {
        __m256 G = _mm256_mul_ps(g_, c->inv_m);
        if (reg == 1) G = _mm256_add_ps(G, _mm256_mul_ps(c->lam_n, W));
        else if (reg == 2) G = _mm256_add_ps(G, _mm256_mul_ps(c->lam_n, sgn256(W)));
        const __m256 V = full ? _mm256_loadu_ps(v) : _mm256_maskload_ps(v, m);
        const __m256 vn = _mm256_sub_ps(_mm256_mul_ps(c->mu, V), _mm256_mul_ps(c->eta, G));
        if (full) _mm256_storeu_ps(v, vn);
        else _mm256_maskstore_ps(v, m, vn);
        out = nest ? _mm256_sub_ps(_mm256_add_ps(W, _mm256_mul_ps(c->mu, vn)), _mm256_mul_ps(c->eta, G))
                   : _mm256_add_ps(W, vn);
    }
    if (full) _mm256_storeu_ps(w, out);
    else _mm256_maskstore_ps(w, m, out);
}

/* All rows for one kind of step: kind, reg and nest are constants in each call below, so each
 * gets a loop of its own without branches (the compiler did not unswitch the loop itself).
 * hasg 0: a gradient of +0, g not read. */
static inline __attribute__((always_inline)) void rows8(int kind, int reg, int nest, int hasg,
                                                        int M, int n, float *w0, int ldw,
                                                        const float *g0, int ldg, float *v0,
                                                        const coef *c)
{
    const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32(n % 8), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256i all = _mm256_set1_epi32(-1);
    for (int row = 0; row < M; row++) {
        float *w = w0 + (size_t)row * ldw, *v = v0 ? v0 + (size_t)row * ldw : NULL;
        const float *g = hasg ? g0 + (size_t)row * ldg : NULL;
        int i = 0;
        for (; i + 8 <= n; i += 8)
            step8(kind, reg, nest, hasg, 1, all, w + i, hasg ? g + i : NULL, v ? v + i : NULL, c);
        if (i < n)
            step8(kind, reg, nest, hasg, 0, tail, w + i, hasg ? g + i : NULL, v ? v + i : NULL, c);
    }
}

static inline coef coef_of(const nn2_kupd *u)
{
    return (coef){_mm256_set1_ps(u->scale), _mm256_set1_ps(u->decay), _mm256_set1_ps(u->l1),
                  _mm256_set1_ps(u->inv_m), _mm256_set1_ps(u->lam_n), _mm256_set1_ps(u->mu),
                  _mm256_set1_ps(u->eta)};
}

#define NN2_UPDATE_ROWS rows8

void nn2_k_update_avx2(int M, int n, float *w, int ldw, const float *g, int ldg, float *v,
                       const nn2_kupd *u)
{
    const coef c = coef_of(u);
#define ROWS(kind, reg, nest) rows8(kind, reg, nest, 1, M, n, w, ldw, g, ldg, v, &c)
    NN2_UPDATE_SWITCH(u, ROWS);
#undef ROWS
}

void nn2_k_update_sel_avx2(int r0, int r1, int n, float *w, int ldw, const float *g, int ldg,
                           float *v, const nn2_kupd *u, const int *rows, int M, int base)
{
    const coef c = coef_of(u);
    NN2_UPDATE_SWITCH(u, NN2_UPDATE_SEL_ROWS);
}
