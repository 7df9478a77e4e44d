/* act_avx2.c: AVX2+FMA sigmoid through a vectorised exp: the same method and error bound as
 * kernels/avx512/act_avx512.c, with 2^n built in the exponent field (n in [-126, 127] after the
 * clamp, so no overflow or denormal scaling). */
#include <immintrin.h>

#include "kernels_impl.h"

static inline __m256i tail_mask(int cols)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(cols >= 8 ? 8 : cols), idx);
}

static inline __m256 exp256(__m256 x)
{
    const __m256 keep = _mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_GE_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(keep, _mm256_mul_ps(p, _mm256_castsi256_ps(e))); /* e^x < 1.6e-38: 0 */
}

/* tanh: the method of kernels/avx512/act_avx512.c (odd polynomial below 0.25, else
 * (1 - e) / (1 + e) with e = exp(-2|x|)). */
static inline __m256 tanh256(__m256 x)
{
    const __m256 sign = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
    const __m256 t = _mm256_andnot_ps(sign, x);
    const __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-1382.0f / 155925.0f);
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(62.0f / 2835.0f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-17.0f / 315.0f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.0f / 15.0f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-1.0f / 3.0f));
    p = _mm256_mul_ps(p, x2);
    const __m256 small = _mm256_fmadd_ps(p, x, x);
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 e = exp256(_mm256_mul_ps(t, _mm256_set1_ps(-2.0f)));
    __m256 big = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
    big = _mm256_or_ps(big, _mm256_and_ps(x, sign));
    const __m256 is_small = _mm256_cmp_ps(t, _mm256_set1_ps(0.25f), _CMP_LT_OQ);
    return _mm256_blendv_ps(big, small, is_small);
}

/* f(v) for an nn2_kact: sigmoid 1 / (1 + e^-v), tanh, ReLU; every kernel that activates calls
 * this, so they all produce the same bits. */
static inline __m256 act256(int act, __m256 v)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    if (act == NN2_KACT_SIGMOID)
        return _mm256_div_ps(one, _mm256_add_ps(one, exp256(_mm256_sub_ps(_mm256_setzero_ps(), v))));
    if (act == NN2_KACT_TANH) return tanh256(v);
    return _mm256_and_ps(v, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ));
}

/* d * f'(z), f' through the output a: sigmoid a(1-a), tanh 1-a^2, ReLU (a > 0). */
static inline __m256 dact256(int act, __m256 d, __m256 av)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    if (act == NN2_KACT_SIGMOID) return _mm256_mul_ps(d, _mm256_mul_ps(av, _mm256_sub_ps(one, av)));
    if (act == NN2_KACT_TANH) return _mm256_mul_ps(d, _mm256_sub_ps(one, _mm256_mul_ps(av, av)));
    return _mm256_and_ps(d, _mm256_cmp_ps(av, _mm256_setzero_ps(), _CMP_GT_OQ));
}

static inline __attribute__((always_inline)) void act_pass(const int act, int n, float *x)
{
    for (int i = 0; i < n; i += 8) {
        const __m256i m = tail_mask(n - i);
        _mm256_maskstore_ps(x + i, m, act256(act, _mm256_maskload_ps(x + i, m)));
    }
}

static inline __attribute__((always_inline)) void dact_pass(const int act, int n, float *d, const float *a)
{
    for (int i = 0; i < n; i += 8) {
        const __m256i m = tail_mask(n - i);
        const __m256 dv = _mm256_maskload_ps(d + i, m);
        _mm256_maskstore_ps(d + i, m, dact256(act, dv, _mm256_maskload_ps(a + i, m)));
    }
}

NN2_DEFINE_ACT_ENTRIES(avx2)

static inline float hmax256(__m256 v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float hsum256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

void nn2_k_softmax_rows_avx2(int M, int n, float *x)
{
    const __m256 ninf = _mm256_set1_ps(-__builtin_inff());
    for (int r = 0; r < M; r++) {
        float *z = x + (size_t)r * n;
        __m256 vmax = ninf;
        for (int j = 0; j < n; j += 8) {
            const __m256i m = tail_mask(n - j);
            vmax = _mm256_max_ps(vmax, _mm256_blendv_ps(ninf, _mm256_maskload_ps(z + j, m), _mm256_castsi256_ps(m)));
        }
        const __m256 mx = _mm256_set1_ps(hmax256(vmax));
        __m256 vs = _mm256_setzero_ps();
        for (int j = 0; j < n; j += 8) {
            const __m256i m = tail_mask(n - j);
            const __m256 e = _mm256_and_ps(exp256(_mm256_sub_ps(_mm256_maskload_ps(z + j, m), mx)), _mm256_castsi256_ps(m));
            _mm256_maskstore_ps(z + j, m, e);
            vs = _mm256_add_ps(vs, e);
        }
        const __m256 s = _mm256_set1_ps(hsum256(vs));
        for (int j = 0; j < n; j += 8) {
            const __m256i m = tail_mask(n - j);
            _mm256_maskstore_ps(z + j, m, _mm256_div_ps(_mm256_maskload_ps(z + j, m), s));
        }
    }
}

/* BP2 towards a next layer of q <= 16 units: the method of kernels/avx512/act_avx512.c, 8 units
 * at a time. */
void nn2_k_bp2_small_avx2(int M, int n, int q, const float *Dn, int ldn, const float *W, int ldw,
                          const float *A, const float *mask, int ld, int act, float *D, int ldd,
                          float *bsum, float s)
{
    const __m256 vs = _mm256_set1_ps(s);
    const __m256i rows = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(ldw));
    for (int u0 = 0; u0 < n; u0 += 8) {
        const __m256i m = tail_mask(n - u0);
        __m256 wt[16];
        _Pragma("GCC unroll 16") for (int o = 0; o < 16; o++)
            wt[o] = o < q ? _mm256_mask_i32gather_ps(_mm256_setzero_ps(), W + (size_t)u0 * ldw + o, rows,
                                                     _mm256_castsi256_ps(m), 4)
                          : _mm256_setzero_ps();
        __m256 sum = _mm256_setzero_ps();
        for (int r = 0; r < M; r++) {
            __m256 acc = _mm256_setzero_ps();
            _Pragma("GCC unroll 16") for (int o = 0; o < 16; o++)
                if (o < q) acc = _mm256_fmadd_ps(_mm256_set1_ps(Dn[(size_t)r * ldn + o]), wt[o], acc);
            const size_t off = (size_t)r * ld + u0;
            if (mask) acc = _mm256_mul_ps(acc, _mm256_maskload_ps(mask + off, m));
            const __m256 d = dact256(act, acc, _mm256_maskload_ps(A + off, m));
            sum = _mm256_add_ps(sum, d);
            _mm256_maskstore_ps(D + (size_t)r * ldd + u0, m, _mm256_mul_ps(d, vs));
        }
        if (bsum) _mm256_maskstore_ps(bsum + u0, m, sum);
    }
}

/* The output layer from partial sums: the three passes of the scalar set, with this set's
 * activations. */
void nn2_k_out_rows_avx2(int M, int n, int np, const float *const *P, int ldp, const float *b,
                         int softmax, const uint8_t *labels, float *out, float *delta)
{
    nn2_k_out_rows_with(M, n, np, P, ldp, b, softmax ? nn2_k_softmax_rows_avx2 : NULL,
                        nn2_k_sigmoid_forward_avx2, labels, out, delta);
}

/* x = f(p + q), 8 at a time: the sum, then this set's activation of the vector. */
void nn2_k_add_act_avx2(int n, float *x, const float *p, const float *q, int act)
{
    for (int i = 0; i < n; i += 8) {
        const __m256i m = tail_mask(n - i);
        const __m256 v = _mm256_add_ps(_mm256_maskload_ps(p + i, m), _mm256_maskload_ps(q + i, m));
        _mm256_maskstore_ps(x + i, m, act256(act, v));
    }
}
