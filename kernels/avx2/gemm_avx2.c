/* gemm_avx2.c: AVX2+FMA matrix products, register-blocked 6 rows x 2 vectors of 8 (15 of the 16
 * ymm registers). Same scheme and determinism contract as kernels/avx512/gemm_avx512.c:
 * vectorised over output columns, one FMA chain over k per element, masked column tails. */
#include <immintrin.h>

#include "kernels_impl.h"

#define MR 6
#define NV 2

static inline __m256i tail_mask(int cols)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(cols >= 8 ? 8 : cols), idx);
}

/* Epilogue: C = sum, or with on (alpha, beta): C = beta*C + alpha*sum (beta 0: alpha*sum, C
 * not read); add: the case alpha = beta = 1, C = C + sum, the same bits without the two
 * multiplies (chosen once per call: a test of alpha and beta per tile slowed every tile down);
 * then + bias, last (the forward product's alpha*sum + b, the lazy decay's). */
typedef struct { float alpha, beta; int on, add; } epi;

/* Selected inputs (the _sel products), as in gemm_avx512.c: step k reads A's column and B's row
 * k[k] - base; tile row i reads A's column and writes C's row c[i] - base; NOSEL, every one
 * (folded away in the plain products). */
typedef struct { const int *k, *c; int base; } sel;
#define NOSEL ((sel){NULL, NULL, 0})

static inline __attribute__((always_inline)) void tile(const int mr, const int nv, int K,
                                                       const float *A, int a_is, int a_ks,
                                                       const float *B, int ldb, const float *bias,
                                                       float *C, int ldc, __m256i mlast, epi e, sel s)
{
    __m256 acc[MR][NV];
    size_t ro[MR]; /* row i's offset in A: i * a_is, or its selected column's */
    _Pragma("GCC unroll 8") for (int i = 0; i < mr; i++) {
        ro[i] = (size_t)(s.c ? s.c[i] - s.base : i) * a_is;
        _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++) acc[i][v] = _mm256_setzero_ps();
    }
    for (int k = 0; k < K; k++) {
        const int kk = s.k ? s.k[k] - s.base : k;
        const float *b = B + (size_t)kk * ldb;
        __m256 bv[NV];
        _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++)
            bv[v] = v == nv - 1 ? _mm256_maskload_ps(b + 8 * v, mlast) : _mm256_loadu_ps(b + 8 * v);
        const float *a = A + (size_t)kk * a_ks;
        _Pragma("GCC unroll 8") for (int i = 0; i < mr; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + ro[i]);
            _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    }
    const __m256i full = _mm256_set1_epi32(-1);
    _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++) {
        const __m256i m = v == nv - 1 ? mlast : full;
        const __m256 bb = bias ? _mm256_maskload_ps(bias + 8 * v, m) : _mm256_setzero_ps();
        _Pragma("GCC unroll 8") for (int i = 0; i < mr; i++) {
            float *c = C + (size_t)(s.c ? s.c[i] - s.base : i) * ldc + 8 * v;
            __m256 r = acc[i][v];
            if (e.add) {
                r = _mm256_add_ps(_mm256_maskload_ps(c, m), r);
            } else if (e.on) {
                r = _mm256_mul_ps(_mm256_set1_ps(e.alpha), r);
                if (e.beta != 0.0f)
                    r = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(e.beta), _mm256_maskload_ps(c, m)), r);
            }
            if (bias) r = _mm256_add_ps(r, bb);
            _mm256_maskstore_ps(c, m, r);
        }
    }
}

static inline __attribute__((always_inline)) void panel(const int nv, int M, int K, const float *A,
                                                        int a_is, int a_ks, const float *B, int ldb,
                                                        const float *bias, float *C, int ldc,
                                                        __m256i mlast, epi e, sel s)
{
    /* the tile at row i: A and C there, or their rows through s.c */
#define NN2_AT(i) s.c ? A : A + (size_t)(i) * a_is, a_is, a_ks, B, ldb, bias, s.c ? C : C + (size_t)(i) * ldc, ldc, \
                  mlast, e, \
                  ((sel){s.k, s.c ? s.c + (i) : NULL, s.base})
    int i = 0;
    for (; i + 6 <= M; i += 6) tile(6, nv, K, NN2_AT(i));
    if (i + 4 <= M) {
        tile(4, nv, K, NN2_AT(i));
        i += 4;
    }
    if (i + 2 <= M) {
        tile(2, nv, K, NN2_AT(i));
        i += 2;
    }
    if (i < M) tile(1, nv, K, NN2_AT(i));
#undef NN2_AT
}

static inline __attribute__((always_inline)) void gemm_any(int M, int N, int K, const float *A,
                                                           int a_is, int a_ks, const float *B,
                                                           int ldb, const float *bias, float *C,
                                                           int ldc, epi e, sel s)
{
    for (int j = 0; j < N; j += 8 * NV) {
        const int cols = N - j < 8 * NV ? N - j : 8 * NV;
        const int nv = (cols + 7) / 8;
        const __m256i mlast = tail_mask(cols - 8 * (nv - 1));
        const float *bj = bias ? bias + j : NULL;
        if (nv == 2)
            panel(2, M, K, A, a_is, a_ks, B + j, ldb, bj, C + j, ldc, mlast, e, s);
        else
            panel(1, M, K, A, a_is, a_ks, B + j, ldb, bj, C + j, ldc, mlast, e, s);
    }
}

void nn2_k_gemm_nn_avx2(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                        float alpha, const float *bias, float *C, int ldc)
{
    gemm_any(M, N, K, A, lda, 1, B, ldb, bias, C, ldc, (epi){alpha, 0.0f, alpha != 1.0f, 0}, NOSEL);
}

void nn2_k_gemm_nn_sel_avx2(int M, int N, int nk, const float *A, int lda, const int *ksel, int base,
                            const float *B, int ldb, float alpha, const float *bias, float *C, int ldc)
{
    gemm_any(M, N, nk, A, lda, 1, B, ldb, bias, C, ldc, (epi){alpha, 0.0f, alpha != 1.0f, 0},
             (sel){ksel, NULL, base});
}

void nn2_k_gemm_tn_avx2(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                        float *C, int ldc, float alpha, float beta)
{
    if (alpha == 1.0f && beta == 1.0f) /* C += A^T.B: see epi */
        gemm_any(M, N, K, A, 1, lda, B, ldb, NULL, C, ldc, (epi){1.0f, 1.0f, 1, 1}, NOSEL);
    else
        gemm_any(M, N, K, A, 1, lda, B, ldb, NULL, C, ldc, (epi){alpha, beta, 1, 0}, NOSEL);
}

void nn2_k_gemm_tn_sel_avx2(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                            const int *csel, int base, float *C, int ldc, float alpha, float beta)
{
    const sel s = {NULL, csel, base};
    if (alpha == 1.0f && beta == 1.0f)
        gemm_any(M, N, K, A, 1, lda, B, ldb, NULL, C, ldc, (epi){1.0f, 1.0f, 1, 1}, s);
    else
        gemm_any(M, N, K, A, 1, lda, B, ldb, NULL, C, ldc, (epi){alpha, beta, 1, 0}, s);
}

/* 8 columns at a time, as in gemm_avx512.c: the OR of the rows' bits without the sign. */
int nn2_k_nz_cols_avx2(int M, const float *x, int ldx, int k0, int k1, int *ksel)
{
    const __m256i mag = _mm256_set1_epi32(0x7FFFFFFF);
    int n = 0;
    for (int k = k0; k < k1; k += 8) {
        const __m256i m = tail_mask(k1 - k);
        __m256i o = _mm256_setzero_si256();
        for (int r = 0; r < M; r++)
            o = _mm256_or_si256(o, _mm256_castps_si256(_mm256_maskload_ps(x + (size_t)r * ldx + k, m)));
        const __m256i z = _mm256_cmpeq_epi32(_mm256_and_si256(o, mag), _mm256_setzero_si256());
        for (unsigned b = ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(z)) & 0xFFu; b; b &= b - 1)
            ksel[n++] = k + __builtin_ctz(b);
    }
    return n;
}

void nn2_k_zero_gaps_avx2(int r0, int r1, int n, const int *rows, int M, int base, float *C,
                          int ldc)
{
    if (n <= 0) return;
    const __m256 z = _mm256_setzero_ps();
    const __m256i mlast = tail_mask(n - 8 * ((n - 1) / 8));
#define ZERO_ROW(c)                                                          \
    do {                                                                     \
        float *c_ = (c);                                                     \
        int j = 0;                                                           \
        for (; j + 8 < n; j += 8) _mm256_storeu_ps(c_ + j, z);               \
        _mm256_maskstore_ps(c_ + j, mlast, z);                               \
    } while (0)
    NN2_ZERO_GAPS_WALK(ZERO_ROW);
#undef ZERO_ROW
}

/* p/255 correctly rounded with one multiply and one FMA. p/255 = N/(2^24 - 1) for the integer
 * N = p * 65793 (p in each of three bytes; exact in a float), so p/255 is a + b plus a tail
 * below b * 2^-23, with a = N * 2^-24 and b = N * 2^-48: p * c1 and p * c2 for exact floats c1
 * and c2, exact products. The FMA rounds a + b once. For p > 0 the 17 or more bits it drops
 * repeat p's 8 bits, so they are never near half a unit in the last place (a 1 then 16 zeros,
 * or a 0 then 16 ones), and the tail cannot change the rounding: it is that of p/255. Every
 * pixel value is checked against the scalar division (test_kernels). */
void nn2_k_u8_to_f32_avx2(int n, const uint8_t *src, float *dst)
{
    const __m256 c1 = _mm256_set1_ps(65793.0f * 0x1p-24f), c2 = _mm256_set1_ps(65793.0f * 0x1p-48f);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i b = _mm_loadl_epi64((const __m128i *)(const void *)(src + i));
        const __m256 p = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b));
        _mm256_storeu_ps(dst + i, _mm256_fmadd_ps(p, c1, _mm256_mul_ps(p, c2)));
    }
    for (; i < n; i++) dst[i] = (float)src[i] / 255.0f;
}

static inline float hsum256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* C (M,N) = A (M,K) . B^T with B (N,K): dot products over k in 8-lane partial sums (the last
 * chunk, full or not, masked), then hsum256; blocked up to 2 rows x 4 columns (8 chains), which
 * never changes an element's operations. */
static inline __attribute__((always_inline)) void nt_tile(const int mr, const int nr, int K,
                                                          const float *A, int lda, const float *B,
                                                          int ldb, float *C, int ldc)
{
    const __m256i mt = tail_mask(K % 8 ? K % 8 : 8);
    const int kfull = K % 8 ? K - K % 8 : K - 8;
    __m256 acc[2][4];
    _Pragma("GCC unroll 4") for (int i = 0; i < mr; i++)
        _Pragma("GCC unroll 4") for (int j = 0; j < nr; j++) acc[i][j] = _mm256_setzero_ps();
#define NN2_NT_CHUNK(LOAD)                                                                         \
    do {                                                                                           \
        __m256 a[2];                                                                               \
        _Pragma("GCC unroll 2") for (int i = 0; i < mr; i++) a[i] = LOAD(A + (size_t)i * lda + k); \
        _Pragma("GCC unroll 4") for (int j = 0; j < nr; j++) {                                     \
            const __m256 b = LOAD(B + (size_t)j * ldb + k);                                        \
            _Pragma("GCC unroll 2") for (int i = 0; i < mr; i++)                                   \
                acc[i][j] = _mm256_fmadd_ps(a[i], b, acc[i][j]);                                   \
        }                                                                                          \
    } while (0)
#define NN2_LOAD_MT(p) _mm256_maskload_ps(p, mt)
    int k = 0;
    for (; k < kfull; k += 8) NN2_NT_CHUNK(_mm256_loadu_ps);
    if (K > 0) NN2_NT_CHUNK(NN2_LOAD_MT);
#undef NN2_LOAD_MT
#undef NN2_NT_CHUNK
    _Pragma("GCC unroll 2") for (int i = 0; i < mr; i++)
        _Pragma("GCC unroll 4") for (int j = 0; j < nr; j++) C[(size_t)i * ldc + j] = hsum256(acc[i][j]);
}

/* A block of mr (1..2) x nr (1..4) known only at run time: the edges. */
static __attribute__((noinline)) void nt_tile_any(int mr, int nr, int K, const float *A, int lda,
                                                  const float *B, int ldb, float *C, int ldc)
{
    switch ((mr - 1) * 4 + (nr - 1)) {
#define NN2_NT_CASE(r, c) \
    case (r - 1) * 4 + (c - 1): nt_tile(r, c, K, A, lda, B, ldb, C, ldc); break;
        NN2_NT_CASE(1, 1) NN2_NT_CASE(1, 2) NN2_NT_CASE(1, 3) NN2_NT_CASE(1, 4)
        NN2_NT_CASE(2, 1) NN2_NT_CASE(2, 2) NN2_NT_CASE(2, 3) NN2_NT_CASE(2, 4)
#undef NN2_NT_CASE
    default: break;
    }
}

void nn2_k_gemm_nt_avx2(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                        float *C, int ldc)
{
    for (int i = 0; i < M; i += 2) {
        const int mr = M - i < 2 ? M - i : 2;
        for (int j = 0; j < N; j += 4) {
            const int nr = N - j < 4 ? N - j : 4;
            const float *a = A + (size_t)i * lda, *b = B + (size_t)j * ldb;
            float *c = C + (size_t)i * ldc + j;
            if (mr == 2 && nr == 4)
                nt_tile(2, 4, K, a, lda, b, ldb, c, ldc);
            else
                nt_tile_any(mr, nr, K, a, lda, b, ldb, c, ldc);
        }
    }
}

void nn2_k_colsum_avx2(int M, int N, const float *A, int lda, float *out)
{
    for (int j = 0; j < N; j += 8) {
        const __m256i m = tail_mask(N - j);
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < M; i++) acc = _mm256_add_ps(acc, _mm256_maskload_ps(A + (size_t)i * lda + j, m));
        _mm256_maskstore_ps(out + j, m, acc);
    }
}
