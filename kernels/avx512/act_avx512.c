/* act_avx512.c: AVX-512F sigmoid through a vectorised exp.
 * exp(x): 0 below -87 (where e^x < 1.7e-38), x clamped to 88 above; x = n ln2 + r with n = round(x log2 e), |r| <= ln2/2 (Cody-Waite
 * split of ln2); e^r by its degree-7 Taylor polynomial (truncation < 5e-9 relative); times 2^n by
 * scalef. Measured against libm in double over [-87, 88]: at most 3 ulp (tests/test_kernels.c
 * bounds it at 4 ulp). sigmoid(x) = 1 / (1 + exp(-x)) with an IEEE division. */
#include <immintrin.h>

#include "kernels_impl.h"

static inline __m512 exp512(__m512 x)
{
    const __mmask16 under = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_LT_OQ);
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_maskz_mov_ps((__mmask16)~under, _mm512_scalef_ps(p, n)); /* e^x < 1.6e-38: 0 */
}

/* tanh: |x| < 0.25 by its odd Taylor polynomial to x^11 (truncation < 1e-9 relative);
 * otherwise (1 - e) / (1 + e) with e = exp(-2|x|) (no cancellation worse than 1.6x there);
 * the sign restored. Both computed, one selected per lane. */
static inline __m512 tanh512(__m512 x)
{
    const __m512 t = _mm512_abs_ps(x);
    const __m512 x2 = _mm512_mul_ps(x, x);
    __m512 p = _mm512_set1_ps(-1382.0f / 155925.0f);
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(62.0f / 2835.0f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-17.0f / 315.0f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(2.0f / 15.0f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-1.0f / 3.0f));
    p = _mm512_mul_ps(p, x2);
    const __m512 small = _mm512_fmadd_ps(p, x, x);
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 e = exp512(_mm512_mul_ps(t, _mm512_set1_ps(-2.0f)));
    __m512 big = _mm512_div_ps(_mm512_sub_ps(one, e), _mm512_add_ps(one, e));
    big = _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(big),
        _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u))));
    const __mmask16 is_small = _mm512_cmp_ps_mask(t, _mm512_set1_ps(0.25f), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(is_small, big, small);
}

static inline __mmask16 mask_n(int left) { return (__mmask16)(left >= 16 ? 0xFFFF : (1u << left) - 1u); }

/* f(v) for an nn2_kact: sigmoid 1 / (1 + e^-v) with an IEEE division, tanh, ReLU. Every kernel
 * that activates calls this, so they all produce the same bits. */
static inline __m512 act512(int act, __m512 v)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    if (act == NN2_KACT_SIGMOID)
        return _mm512_div_ps(one, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), v))));
    if (act == NN2_KACT_TANH) return tanh512(v);
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ), v);
}

/* d * f'(z), f' through the output a: sigmoid a(1-a), tanh 1-a^2, ReLU (a > 0). */
static inline __m512 dact512(int act, __m512 d, __m512 av)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    if (act == NN2_KACT_SIGMOID) return _mm512_mul_ps(d, _mm512_mul_ps(av, _mm512_sub_ps(one, av)));
    if (act == NN2_KACT_TANH) return _mm512_mul_ps(d, _mm512_sub_ps(one, _mm512_mul_ps(av, av)));
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(av, _mm512_setzero_ps(), _CMP_GT_OQ), d);
}

static inline __attribute__((always_inline)) void act_pass(const int act, int n, float *x)
{
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = mask_n(n - i);
        _mm512_mask_storeu_ps(x + i, m, act512(act, _mm512_maskz_loadu_ps(m, x + i)));
    }
}

static inline __attribute__((always_inline)) void dact_pass(const int act, int n, float *d, const float *a)
{
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = mask_n(n - i);
        const __m512 dv = _mm512_maskz_loadu_ps(m, d + i);
        _mm512_mask_storeu_ps(d + i, m, dact512(act, dv, _mm512_maskz_loadu_ps(m, a + i)));
    }
}

NN2_DEFINE_ACT_ENTRIES(avx512)

/* Per row: max, then e = exp(z - max) with the sum, then e / sum. The reductions follow one
 * fixed tree per row, so a row's result does not depend on M. */
void nn2_k_softmax_rows_avx512(int M, int n, float *x)
{
    const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
    for (int r = 0; r < M; r++) {
        float *z = x + (size_t)r * n;
        __m512 vmax = ninf;
        for (int j = 0; j < n; j += 16) vmax = _mm512_max_ps(vmax, _mm512_mask_loadu_ps(ninf, mask_n(n - j), z + j));
        const __m512 mx = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));
        __m512 vs = _mm512_setzero_ps();
        for (int j = 0; j < n; j += 16) {
            const __mmask16 m = mask_n(n - j);
            const __m512 e = _mm512_maskz_mov_ps(m, exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, z + j), mx)));
            _mm512_mask_storeu_ps(z + j, m, e);
            vs = _mm512_add_ps(vs, e);
        }
        const __m512 s = _mm512_set1_ps(_mm512_reduce_add_ps(vs));
        for (int j = 0; j < n; j += 16) {
            const __mmask16 m = mask_n(n - j);
            _mm512_mask_storeu_ps(z + j, m, _mm512_div_ps(_mm512_maskz_loadu_ps(m, z + j), s));
        }
    }
}

/* BP2 for a block of units whose next layer has q <= 16 units (the output layer):
 * D (M, n) = (Dn . W^T) [* mask] * f'(A), W (n, q) at ldw (unit u's weights to the next layer,
 * WT's rows), Dn (M, q) at ldn, A and mask at stride ld, D at ldd. Per 16 units, the columns of
 * W are gathered once into q registers (W^T's rows: no transposed copy in memory), then each row
 * is q FMAs from 0 in the order of o, as gemm_nn over the transposed weights computes them, times
 * the mask, times f'(a) as act_backward: the same bits as those three steps. 4 rows at a time
 * (independent FMA chains). The column sums (the biases' gradient, as colsum) are kept in a
 * register as the rows go by, and D is stored times s (the lazy decay's factor), so neither
 * needs a pass of its own over D. */
void nn2_k_bp2_small_avx512(int M, int n, int q, const float *Dn, int ldn, const float *W, int ldw,
                            const float *A, const float *mask, int ld, int act, float *D, int ldd,
                            float *bsum, float s)
{
    const __m512 vs = _mm512_set1_ps(s);
    const __m512i rows = _mm512_mullo_epi32(
        _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), _mm512_set1_epi32(ldw));
    for (int u0 = 0; u0 < n; u0 += 16) {
        const __mmask16 m = mask_n(n - u0);
        __m512 wt[16];
        _Pragma("GCC unroll 16") for (int o = 0; o < 16; o++)
            wt[o] = o < q ? _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, rows, W + (size_t)u0 * ldw + o, 4)
                          : _mm512_setzero_ps();
        __m512 sum = _mm512_setzero_ps(); /* the column sums, rows in order */
        int r = 0;
        for (; r + 4 <= M; r += 4) {
            __m512 acc[4];
            _Pragma("GCC unroll 4") for (int i = 0; i < 4; i++) acc[i] = _mm512_setzero_ps();
            _Pragma("GCC unroll 16") for (int o = 0; o < 16; o++)
                if (o < q)
                    _Pragma("GCC unroll 4") for (int i = 0; i < 4; i++)
                        acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(Dn[(size_t)(r + i) * ldn + o]), wt[o], acc[i]);
            _Pragma("GCC unroll 4") for (int i = 0; i < 4; i++) {
                const size_t off = (size_t)(r + i) * ld + u0;
                __m512 d = acc[i];
                if (mask) d = _mm512_mul_ps(d, _mm512_maskz_loadu_ps(m, mask + off));
                d = dact512(act, d, _mm512_maskz_loadu_ps(m, A + off));
                sum = _mm512_add_ps(sum, d);
                _mm512_mask_storeu_ps(D + (size_t)(r + i) * ldd + u0, m, _mm512_mul_ps(d, vs));
            }
        }
        for (; r < M; r++) {
            __m512 acc = _mm512_setzero_ps();
            _Pragma("GCC unroll 16") for (int o = 0; o < 16; o++)
                if (o < q) acc = _mm512_fmadd_ps(_mm512_set1_ps(Dn[(size_t)r * ldn + o]), wt[o], acc);
            const size_t off = (size_t)r * ld + u0;
            if (mask) acc = _mm512_mul_ps(acc, _mm512_maskz_loadu_ps(m, mask + off));
            const __m512 d = dact512(act, acc, _mm512_maskz_loadu_ps(m, A + off));
            sum = _mm512_add_ps(sum, d);
            _mm512_mask_storeu_ps(D + (size_t)r * ldd + u0, m, _mm512_mul_ps(d, vs));
        }
        if (bsum) _mm512_mask_storeu_ps(bsum + u0, m, sum);
    }
}

/* The output layer from partial sums, one register per row for n <= 16: the sums in order,
 * the bias, sigmoid or the row's softmax (the operations of nn2_k_sigmoid_forward_avx512 and
 * nn2_k_softmax_rows_avx512 on one 16-lane chunk), out, and a - y by one masked subtraction;
 * no pass reads back what another stored. Wider layers: three passes. */
void nn2_k_out_rows_avx512(int M, int n, int np, const float *const *P, int ldp, const float *b,
                           int softmax, const uint8_t *labels, float *out, float *delta)
{
    if (n > 16) {
        nn2_k_out_rows_with(M, n, np, P, ldp, b, softmax ? nn2_k_softmax_rows_avx512 : NULL,
                            nn2_k_sigmoid_forward_avx512, labels, out, delta);
        return;
    }
    const __mmask16 m = mask_n(n);
    const __m512 one = _mm512_set1_ps(1.0f), ninf = _mm512_set1_ps(-__builtin_inff());
    const __m512 bv = _mm512_maskz_loadu_ps(m, b);
    for (int r = 0; r < M; r++) {
        __m512 z = _mm512_maskz_loadu_ps(m, P[0] + (size_t)r * ldp);
        for (int i = 1; i < np; i++) z = _mm512_add_ps(z, _mm512_maskz_loadu_ps(m, P[i] + (size_t)r * ldp));
        z = _mm512_maskz_mov_ps(m, _mm512_add_ps(z, bv));
        __m512 a;
        if (softmax) {
            const __m512 vmax = _mm512_max_ps(ninf, _mm512_mask_mov_ps(ninf, m, z));
            const __m512 mx = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));
            const __m512 e = _mm512_maskz_mov_ps(m, exp512(_mm512_sub_ps(z, mx)));
            a = _mm512_div_ps(e, _mm512_set1_ps(_mm512_reduce_add_ps(e)));
        } else {
            a = act512(NN2_KACT_SIGMOID, z);
        }
        _mm512_mask_storeu_ps(out + (size_t)r * n, m, a);
        const __mmask16 y = labels[r] < n ? (__mmask16)(1u << labels[r]) : 0;
        _mm512_mask_storeu_ps(delta + (size_t)r * n, m, _mm512_mask_sub_ps(a, y, a, one));
    }
}

/* x = f(p + q), 16 at a time: the sum and the activation in one pass (a 2-slice tail's two
 * halves); the operations of the activation kernels. */
void nn2_k_add_act_avx512(int n, float *x, const float *p, const float *q, int act)
{
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = mask_n(n - i);
        const __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, p + i), _mm512_maskz_loadu_ps(m, q + i));
        _mm512_mask_storeu_ps(x + i, m, act512(act, v));
    }
}
