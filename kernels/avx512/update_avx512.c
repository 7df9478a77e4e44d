/* update_avx512.c: the optimizer step 16 parameters at a time; per element the operations of
 * kernels/scalar/update_scalar.c in the same order (no FMA), so the same bits. */
#include <immintrin.h>

#include "kernels_impl.h"

static inline __m512 sgn512(__m512 w)
{
    const __m512 zero = _mm512_setzero_ps();
    const __mmask16 gt = _mm512_cmp_ps_mask(w, zero, _CMP_GT_OQ);
    const __mmask16 lt = _mm512_cmp_ps_mask(w, zero, _CMP_LT_OQ); /* NaN: neither */
    return _mm512_mask_mov_ps(_mm512_maskz_mov_ps(gt, _mm512_set1_ps(1.0f)), lt, _mm512_set1_ps(-1.0f));
}

/* The step's coefficients, broadcast once (read through u inside the loop, they would be
 * reloaded after every store: a store to w may alias *u as far as the compiler knows). */
typedef struct {
    __m512 scale, decay, l1, inv_m, lam_n, mu, eta;
} coef;

/* One vector: m == 0xFFFF for all but a row's tail. The full vectors' moves are unmasked: a
 * masked move of every vector ran the step 1.3-2.1x slower on Zen 5. */
static inline __attribute__((always_inline)) void step16(int kind, int reg, int nest, int hasg,
                                                         int full, __mmask16 m, float *w,
                                                         const float *g, float *v, const coef *c)
{
    const __m512 W = full ? _mm512_loadu_ps(w) : _mm512_maskz_loadu_ps(m, w);
    const __m512 g_ = !hasg  ? _mm512_setzero_ps()
                      : full ? _mm512_loadu_ps(g)
                             : _mm512_maskz_loadu_ps(m, g);
    __m512 out;
    if (kind == NN2_KUPD_SGD) {
        out = _mm512_sub_ps(W, _mm512_mul_ps(c->scale, g_));
    } else if (kind == NN2_KUPD_SGD_L2) {
        out = _mm512_sub_ps(_mm512_mul_ps(c->decay, W), _mm512_mul_ps(c->scale, g_));
    } else if (kind == NN2_KUPD_SGD_L1) {
        out = _mm512_sub_ps(_mm512_sub_ps(W, _mm512_mul_ps(c->l1, sgn512(W))), _mm512_mul_ps(c->scale, g_));
    } else {
        __m512 G = _mm512_mul_ps(g_, c->inv_m);
        if (reg == 1) G = _mm512_add_ps(G, _mm512_mul_ps(c->lam_n, W));
        else if (reg == 2) G = _mm512_add_ps(G, _mm512_mul_ps(c->lam_n, sgn512(W)));
        const __m512 V = full ? _mm512_loadu_ps(v) : _mm512_maskz_loadu_ps(m, v);
        const __m512 vn = _mm512_sub_ps(_mm512_mul_ps(c->mu, V), _mm512_mul_ps(c->eta, G));
        if (full) _mm512_storeu_ps(v, vn);
        else _mm512_mask_storeu_ps(v, m, vn);
        out = nest ? _mm512_sub_ps(_mm512_add_ps(W, _mm512_mul_ps(c->mu, vn)), _mm512_mul_ps(c->eta, G))
                   : _mm512_add_ps(W, vn);
    }
    if (full) _mm512_storeu_ps(w, out);
    else _mm512_mask_storeu_ps(w, m, out);
}

/* All rows for one kind of step: kind, reg and nest are constants in each call below, so each
 * gets a loop of its own without branches (the compiler did not unswitch the loop itself).
 * hasg 0: a gradient of +0, g not read. */
static inline __attribute__((always_inline)) void rows16(int kind, int reg, int nest, int hasg,
                                                         int M, int n, float *w0, int ldw,
                                                         const float *g0, int ldg, float *v0,
                                                         const coef *c)
{
    const int nf = n & ~15;
    const __mmask16 tail = (__mmask16)((1u << (n - nf)) - 1u);
    for (int row = 0; row < M; row++) {
        float *w = w0 + (size_t)row * ldw, *v = v0 ? v0 + (size_t)row * ldw : NULL;
        const float *g = hasg ? g0 + (size_t)row * ldg : NULL;
        for (int i = 0; i < nf; i += 16)
            step16(kind, reg, nest, hasg, 1, 0xFFFF, w + i, hasg ? g + i : NULL, v ? v + i : NULL,
                   c);
        if (tail)
            step16(kind, reg, nest, hasg, 0, tail, w + nf, hasg ? g + nf : NULL, v ? v + nf : NULL,
                   c);
    }
}

static inline coef coef_of(const nn2_kupd *u)
{
    return (coef){_mm512_set1_ps(u->scale), _mm512_set1_ps(u->decay), _mm512_set1_ps(u->l1),
                  _mm512_set1_ps(u->inv_m), _mm512_set1_ps(u->lam_n), _mm512_set1_ps(u->mu),
                  _mm512_set1_ps(u->eta)};
}

#define NN2_UPDATE_ROWS rows16

void nn2_k_update_avx512(int M, int n, float *w, int ldw, const float *g, int ldg, float *v,
                         const nn2_kupd *u)
{
    const coef c = coef_of(u);
#define ROWS(kind, reg, nest) rows16(kind, reg, nest, 1, M, n, w, ldw, g, ldg, v, &c)
    NN2_UPDATE_SWITCH(u, ROWS);
#undef ROWS
}

void nn2_k_update_sel_avx512(int r0, int r1, int n, float *w, int ldw, const float *g, int ldg,
                             float *v, const nn2_kupd *u, const int *rows, int M, int base)
{
    const coef c = coef_of(u);
    NN2_UPDATE_SWITCH(u, NN2_UPDATE_SEL_ROWS);
}
