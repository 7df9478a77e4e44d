/* gemm_avx512.c: AVX-512F matrix products, register-blocked 8 rows x up to 3 vectors of 16 (a
 * forward remainder of 9-15 rows: one tall tile of 1-2 vectors). Vectorised over the output
 * columns j (gemm_tn of 16 columns or fewer: over the rows, tn_narrow): every element (i,j) is
 * one FMA chain over k in order from 0, then + bias, whatever tile it is in and whatever M is
 * (the determinism contract of nn2_kernels.h). Column tails use masked loads/stores, so nothing
 * is read or written past N. */
#include <immintrin.h>

#include "kernels_impl.h"

#define MR_MAX 15 /* the most rows of a tile: 8, or a tall tile's 15 (tile_tall) */
#define NV 6 /* 16-float vectors per tile: 3, or 6 in the wide tiles of 1 or 2 rows */
#define PF_MIN_FLOATS (256 * 1024) /* B of 1 MiB or more: the forward product prefetches it */

static inline __mmask16 tail_mask(int cols) { return (__mmask16)(cols >= 16 ? 0xFFFF : (1u << cols) - 1u); }

/* C tile (mr x nv vectors, the last one masked by mlast) = sum_k a(i,k) * B[k, :] (+ bias).
 * a(i,k) = A[i*a_is + k*a_ks]: (a_is, a_ks) = (lda, 1) for A.B, (1, lda) for A^T.B. */
/* Epilogue: C = sum, or with on (alpha, beta): C = beta*C + alpha*sum (beta 0: alpha*sum, C
 * not read); add: the case alpha = beta = 1, C = C + sum, the same bits without the two
 * multiplies (chosen once per call: a test of alpha and beta per tile slowed every tile down);
 * then + bias, last (the forward product's alpha*sum + b, the lazy decay's). */
typedef struct { float alpha, beta; int on, add; } epi;

/* Selected inputs (the _sel products): k, step k of the sum reads A's column and B's row
 * k[k] - base (the forward product over a mini-batch's non-zero inputs); c, tile row i reads A's
 * column and writes C's row c[i] - base (the weight gradient of those inputs). NOSEL: every
 * one, as the plain products (folded away). */
typedef struct { const int *k, *c; int base; } sel;
#define NOSEL ((sel){NULL, NULL, 0})

/* A stream of prefetches a tile issues among its FMAs, into L2: n lines, the PF_LINES of a
 * 48-column panel's row in each row of ld floats from p, one every step k. NOPF: none (folded
 * away). */
#define PF_LINES 3
typedef struct { const float *p; int ld, n, step; } pfs;
#define NOPF ((pfs){NULL, 0, 0, 1})

static inline __attribute__((always_inline)) void tile(const int mr, const int nv, int K,
                                                       const float *A, int a_is, int a_ks,
                                                       const float *B, int ldb, const float *bias,
                                                       float *C, int ldc, __mmask16 mlast, epi e,
                                                       sel s, pfs pf)
{
    __m512 acc[MR_MAX][NV];
    size_t ro[MR_MAX]; /* row i's offset in A: i * a_is, or its selected column's */
    _Pragma("GCC unroll 16") for (int i = 0; i < mr; i++) {
        ro[i] = (size_t)(s.c ? s.c[i] - s.base : i) * a_is;
        _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++) acc[i][v] = _mm512_setzero_ps();
    }
    int pk = pf.n > 0 ? 0 : K, pm = 0, pr = 0, pv = 0; /* next prefetch: its k, count, row, line */
    for (int k = 0; k < K; k++) {
        const int kk = s.k ? s.k[k] - s.base : k;
        const float *b = B + (size_t)kk * ldb;
        if (k == pk) {
            _mm_prefetch((const char *)(pf.p + (size_t)pr * pf.ld + 16 * pv), _MM_HINT_T1);
            if (++pv == PF_LINES) {
                pv = 0;
                pr++;
            }
            pk = ++pm < pf.n ? pk + pf.step : K;
        }
        __m512 bv[NV];
        _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++)
            bv[v] = v == nv - 1 ? _mm512_maskz_loadu_ps(mlast, b + 16 * v) : _mm512_loadu_ps(b + 16 * v);
        const float *a = A + (size_t)kk * a_ks;
        _Pragma("GCC unroll 16") for (int i = 0; i < mr; i++) {
            const __m512 ai = _mm512_set1_ps(a[ro[i]]);
            _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    }
    _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++) {
        const __mmask16 m = v == nv - 1 ? mlast : 0xFFFF;
        const __m512 bb = bias ? _mm512_maskz_loadu_ps(m, bias + 16 * v) : _mm512_setzero_ps();
        _Pragma("GCC unroll 16") for (int i = 0; i < mr; i++) {
            float *c = C + (size_t)(s.c ? s.c[i] - s.base : i) * ldc + 16 * v;
            __m512 r = acc[i][v];
            if (e.add) {
                r = _mm512_add_ps(_mm512_maskz_loadu_ps(m, c), r);
            } else if (e.on) {
                r = _mm512_mul_ps(_mm512_set1_ps(e.alpha), r);
                if (e.beta != 0.0f)
                    r = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(e.beta), _mm512_maskz_loadu_ps(m, c)), r);
            }
            if (bias) r = _mm512_add_ps(r, bb);
            _mm512_mask_storeu_ps(c, m, r);
        }
    }
}

/* A tile of mr rows (1..8) and nv vectors (1..3) known only at run time: a panel's remainder
 * rows. Dispatched to constants so the accumulators stay in registers, and not inlined, so
 * each of the 24 shapes is compiled once rather than into every panel. */
#define NN2_TILE_CASE(v, r, S) \
    case (v - 1) * 8 + (r - 1): tile(r, v, K, A, a_is, a_ks, B, ldb, bias, C, ldc, mlast, e, S, NOPF); break;
#define NN2_TILE_ROWS(v, S) \
    NN2_TILE_CASE(v, 1, S) NN2_TILE_CASE(v, 2, S) NN2_TILE_CASE(v, 3, S) NN2_TILE_CASE(v, 4, S) \
    NN2_TILE_CASE(v, 5, S) NN2_TILE_CASE(v, 6, S) NN2_TILE_CASE(v, 7, S) NN2_TILE_CASE(v, 8, S)
static __attribute__((noinline)) void tile_rows(int nv, int mr, int K, const float *A, int a_is,
                                                int a_ks, const float *B, int ldb, const float *bias,
                                                float *C, int ldc, __mmask16 mlast, epi e)
{
    switch ((nv - 1) * 8 + (mr - 1)) {
        NN2_TILE_ROWS(1, NOSEL) NN2_TILE_ROWS(2, NOSEL) NN2_TILE_ROWS(3, NOSEL)
    default: break;
    }
}

/* tile_rows of the _sel products: a function of its own, so the plain products' code is as
 * it was. */
static __attribute__((noinline)) void tile_rows_sel(int nv, int mr, int K, const float *A, int a_is,
                                                    int a_ks, const float *B, int ldb, const float *bias,
                                                    float *C, int ldc, __mmask16 mlast, epi e, sel s)
{
    switch ((nv - 1) * 8 + (mr - 1)) {
        NN2_TILE_ROWS(1, s) NN2_TILE_ROWS(2, s) NN2_TILE_ROWS(3, s)
    default: break;
    }
}
#undef NN2_TILE_ROWS
#undef NN2_TILE_CASE

/* A tall tile: 9 to 12 rows of 2 vectors, or 9 to 15 rows of 1 (at most 24 accumulators, with
 * the panel's vectors and a broadcast within the 32 registers), so that the forward product of
 * such a remainder (a mini-batch of 10) passes over the weights once rather than twice
 * (measured: B1 on 1 thread, whose forward products are 10 x 30 over 392 inputs, 1.047x). Its
 * own function, not more cases of tile_rows: called only from the forward product, it is
 * compiled for that epilogue alone; merged into tile_rows, B1 on 1 thread ran 0.991x. */
#define NN2_TALL_CASE(v, r, S) \
    case (v - 1) * 16 + r: tile(r, v, K, A, a_is, a_ks, B, ldb, bias, C, ldc, mlast, e, S, NOPF); break;
#define NN2_TALL_CASES(S) \
    NN2_TALL_CASE(1, 9, S) NN2_TALL_CASE(1, 10, S) NN2_TALL_CASE(1, 11, S) NN2_TALL_CASE(1, 12, S) \
    NN2_TALL_CASE(1, 13, S) NN2_TALL_CASE(1, 14, S) NN2_TALL_CASE(1, 15, S) \
    NN2_TALL_CASE(2, 9, S) NN2_TALL_CASE(2, 10, S) NN2_TALL_CASE(2, 11, S) NN2_TALL_CASE(2, 12, S)
static __attribute__((noinline)) void tile_tall(int nv, int mr, int K, const float *A, int a_is,
                                                int a_ks, const float *B, int ldb, const float *bias,
                                                float *C, int ldc, __mmask16 mlast, epi e)
{
    switch ((nv - 1) * 16 + mr) {
        NN2_TALL_CASES(NOSEL)
    default: break;
    }
}

static __attribute__((noinline)) void tile_tall_sel(int nv, int mr, int K, const float *A, int a_is,
                                                    int a_ks, const float *B, int ldb, const float *bias,
                                                    float *C, int ldc, __mmask16 mlast, epi e, sel s)
{
    switch ((nv - 1) * 16 + mr) {
        NN2_TALL_CASES(s)
    default: break;
    }
}
#undef NN2_TALL_CASES
#undef NN2_TALL_CASE

static inline int tall_fits(int nv, int r) { return r > 8 && (nv == 1 || (nv == 2 && r <= 12)); }

/* A column panel of nv vectors, rows in tiles of 8, then 4, 2, 1; or, with halves set, a
 * remainder of 9 to 15 rows in one tall tile where it fits (tile_tall: 1 or 2 vectors), else in
 * two nearly equal tiles (10 = 5 + 5, not 8 + 2: a 2-row tile has too few independent FMA
 * chains to hide the FMA latency, and mini-batches of 10 are the book's default). Only the
 * forward product uses halves: the gradient's rows come in multiples of 8, and its short
 * (K = mini-batch) tiles run faster without the extra code.
 * nextb (forward, with 4 or more 8-row tiles): the next panel's B, which its first tile would
 * otherwise read from L3 at 3 lines a k, more than the line fill buffers can keep in flight
 * (B4's rows are 3200 bytes apart, too far for the hardware's stride prefetch). Each 8-row tile
 * asks for its share of that panel's rows into L2, one line every few k among its FMAs. On an
 * Intel Xeon (2 MB of L2 a core; fifty-eighth session, bench/HISTORY.md) B4's 128 x 800 x 784
 * went from 155.8 to 160.7 GFLOP/s (1.03x; peak 176). Only where B is 1 MiB or more (smaller
 * ones stay in L2), dense (the selected rows of a sparse product gained nothing). Prefetches
 * change no result. */
static inline __attribute__((always_inline)) void panel(const int nv, const int halves, int M, int K,
                                                        const float *A, int a_is, int a_ks,
                                                        const float *B, int ldb, const float *bias,
                                                        float *C, int ldc, __mmask16 mlast, epi e,
                                                        sel s, const float *nextb)
{
    /* the tile of rows [i, i + r) (r 1..8): A and C at row i, or their rows through s.c */
#define NN2_AT(i) s.c ? A : A + (size_t)(i) * a_is, a_is, a_ks, B, ldb, bias, s.c ? C : C + (size_t)(i) * ldc, ldc, \
                  mlast, e
#define NN2_SEL_AT(i) ((sel){s.k, s.c ? s.c + (i) : NULL, s.base})
#define NN2_ROWS(r, i)                                                    \
    do {                                                                  \
        if (s.k || s.c)                                                   \
            tile_rows_sel(nv, r, K, NN2_AT(i), NN2_SEL_AT(i));            \
        else                                                              \
            tile_rows(nv, r, K, NN2_AT(i));                               \
    } while (0)
    int i = 0;
    if (!halves) {
        for (; i + 8 <= M; i += 8) tile(8, nv, K, NN2_AT(i), NN2_SEL_AT(i), NOPF);
        for (int r = 4; r >= 1; r /= 2)
            if (i + r <= M) {
                NN2_ROWS(r, i);
                i += r;
            }
        return;
    }
    const int T = M % 8 ? M / 8 - 1 : M / 8; /* the 8-row tiles below */
    const int rpt = T > 0 ? (K + T - 1) / T : K; /* the next panel's rows a tile prefetches */
    const int pfb = nextb && T >= 4 && K >= 64;
    for (int t = 0; M - i >= 16 || M - i == 8; i += 8, t++) {
        const int r0 = t * rpt, nr = r0 < K ? (K - r0 < rpt ? K - r0 : rpt) : 0;
        const int n = PF_LINES * nr, step = n > 0 && K / n > 0 ? K / n : 1;
        const pfs pf = pfb && nr > 0 ? (pfs){nextb + (size_t)r0 * ldb, ldb, n, step} : NOPF;
        tile(8, nv, K, NN2_AT(i), NN2_SEL_AT(i), pf);
    }
    const int r = M - i;
    if (tall_fits(nv, r)) {
        if (s.k || s.c)
            tile_tall_sel(nv, r, K, NN2_AT(i), NN2_SEL_AT(i));
        else
            tile_tall(nv, r, K, NN2_AT(i));
        return;
    }
    const int first = r > 8 ? (r + 1) / 2 : r;
    if (first > 0) NN2_ROWS(first, i);
    i += first;
    if (i < M) NN2_ROWS(M - i, i);
#undef NN2_ROWS
#undef NN2_SEL_AT
#undef NN2_AT
}

/* Products of 1 or 2 rows (a transposed tail's weight gradient of 2 units over 784 inputs): in
 * tiles of 6 vectors, twice the columns per pass over k of the 3-vector panels, whose loop and
 * epilogue cost more than the 6 FMAs per k of 2 rows (measured 2 x 784, K = 10: 762 TSC cycles
 * a call, the same as 4 x 784). Elements are computed as in every tile. Not inlined, so that
 * gemm_tn compiles as it did when gemm_tn_sel also went through gemm_any (same code). */
static __attribute__((noinline)) void wide_rows(int M, int N, int K, const float *A, int a_is, int a_ks,
                                                const float *B, int ldb, float *C, int ldc, epi e)
{
    int j = 0;
    for (; j + 96 <= N; j += 96)
        if (M == 2)
            tile(2, 6, K, A, a_is, a_ks, B + j, ldb, NULL, C + j, ldc, 0xFFFF, e, NOSEL, NOPF);
        else
            tile(1, 6, K, A, a_is, a_ks, B + j, ldb, NULL, C + j, ldc, 0xFFFF, e, NOSEL, NOPF);
    for (; j < N; j += 48) { /* the rest in the usual panels */
        const int cols = N - j < 48 ? N - j : 48, nv = (cols + 15) / 16;
        tile_rows(nv, M, K, A, a_is, a_ks, B + j, ldb, NULL, C + j, ldc, tail_mask(cols - 16 * (nv - 1)), e);
    }
}

static inline __attribute__((always_inline)) void gemm_any(const int halves, int M, int N, int K,
                                                           const float *A, int a_is, int a_ks,
                                                           const float *B, int ldb, const float *bias,
                                                           float *C, int ldc, epi e, sel s)
{
    if (!halves && !bias && M <= 2 && N >= 96 && !s.c) {
        wide_rows(M, N, K, A, a_is, a_ks, B, ldb, C, ldc, e);
        return;
    }
    /* the next panel's B, prefetched by the forward product's row tiles, where B is too big to
     * stay in L2 between calls (a dense product over every input; see panel) */
    const int big = !s.k && (size_t)K * (size_t)N >= PF_MIN_FLOATS;
    for (int j = 0; j < N; j += 48) {
        const int cols = N - j < 48 ? N - j : 48;
        const int nv = (cols + 15) / 16;
        const __mmask16 mlast = tail_mask(cols - 16 * (nv - 1));
        const float *bj = bias ? bias + j : NULL;
        const float *nextb = big && j + 48 < N ? B + j + 48 : NULL;
        if (nv == 3)
            panel(3, halves, M, K, A, a_is, a_ks, B + j, ldb, bj, C + j, ldc, mlast, e, s, nextb);
        else if (nv == 2)
            panel(2, halves, M, K, A, a_is, a_ks, B + j, ldb, bj, C + j, ldc, mlast, e, s, nextb);
        else
            panel(1, halves, M, K, A, a_is, a_ks, B + j, ldb, bj, C + j, ldc, mlast, e, s, nextb);
    }
}

void nn2_k_gemm_nn_avx512(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                          float alpha, const float *bias, float *C, int ldc)
{
    gemm_any(1, M, N, K, A, lda, 1, B, ldb, bias, C, ldc, (epi){alpha, 0.0f, alpha != 1.0f, 0}, NOSEL);
}

void nn2_k_gemm_nn_sel_avx512(int M, int N, int nk, const float *A, int lda, const int *ksel, int base,
                              const float *B, int ldb, float alpha, const float *bias, float *C, int ldc)
{
    gemm_any(1, M, N, nk, A, lda, 1, B, ldb, bias, C, ldc, (epi){alpha, 0.0f, alpha != 1.0f, 0},
             (sel){ksel, NULL, base});
}

/* A^T.B with N <= 16 columns (an output layer's weight gradient; the last panel of a packed
 * gradient): 16 or 32 rows of C at a time, vectorised over the rows (C^T's tile: register j, v
 * holds column j of rows i + 16v ..), so every lane does work; by columns, 10 of a vector's 16
 * lanes did, with a broadcast per FMA. Each element is the FMA chain over k in order from 0 that
 * tile computes (a*b + acc, the same product), then the same epilogue; the sums go through a
 * scratch tile, each row of C gathered from it. Hot, one thread (sixty-fourth session,
 * bench/HISTORY.md): B4's output-layer gradient of a thread (400 x 10, K = 128) 14.2 -> 7.0 us;
 * a packed gradient's 16-column panel (64 x 16, K = 128) 2.8-3.1 -> 2.3-2.5 us. Below
 * NARROW_MIN_K samples the gathers cost more than the lanes gain (B2's 50 x 10 over 10:
 * 0.17-0.25 -> 0.23-0.39 us). */
#define NARROW_MIN_K 32
static inline __attribute__((always_inline)) void narrow_tile(const int nv, const int N, int K,
                                                              const float *A, int lda,
                                                              const float *B, int ldb, float *C,
                                                              int ldc, epi e)
{
    __m512 acc[16][2];
    _Pragma("GCC unroll 16") for (int j = 0; j < N; j++)
        _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) acc[j][v] = _mm512_setzero_ps();
    for (int k = 0; k < K; k++) {
        __m512 a[2];
        _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
            a[v] = _mm512_loadu_ps(A + (size_t)k * lda + 16 * v);
        const float *b = B + (size_t)k * ldb;
        _Pragma("GCC unroll 16") for (int j = 0; j < N; j++) {
            const __m512 bj = _mm512_set1_ps(b[j]);
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                acc[j][v] = _mm512_fmadd_ps(a[v], bj, acc[j][v]);
        }
    }
    float t[16 * 32] __attribute__((aligned(64))); /* t[32 j + r]: column j of row r */
    _Pragma("GCC unroll 16") for (int j = 0; j < N; j++)
        _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
            _mm512_store_ps(t + 32 * j + 16 * v, acc[j][v]);
    const __mmask16 m = tail_mask(N);
    const __m512i col =
        _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                           _mm512_set1_epi32(32));
    for (int r = 0; r < 16 * nv; r++) { /* tile's epilogue, row by row */
        float *c = C + (size_t)r * ldc;
        __m512 x = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, col, t + r, 4);
        if (e.add) {
            x = _mm512_add_ps(_mm512_maskz_loadu_ps(m, c), x);
        } else {
            x = _mm512_mul_ps(_mm512_set1_ps(e.alpha), x);
            if (e.beta != 0.0f)
                x = _mm512_add_ps(
                    _mm512_mul_ps(_mm512_set1_ps(e.beta), _mm512_maskz_loadu_ps(m, c)), x);
        }
        _mm512_mask_storeu_ps(c, m, x);
    }
}

/* narrow_tile over rows [0, 16 * (M / 16)) for N (1..16) known at compile time, so that the
 * accumulators stay in registers; returns the rows done (the rest: gemm_any's tiles). */
#define NN2_NARROW_CASE(n)                                                                         \
    case n:                                                                                        \
        for (; i + 32 <= M; i += 32)                                                               \
            narrow_tile(2, n, K, A + i, lda, B, ldb, C + (size_t)i * ldc, ldc, e);                 \
        for (; i + 16 <= M; i += 16)                                                               \
            narrow_tile(1, n, K, A + i, lda, B, ldb, C + (size_t)i * ldc, ldc, e);                 \
        break;
static __attribute__((noinline)) int tn_narrow(int M, int N, int K, const float *A, int lda,
                                               const float *B, int ldb, float *C, int ldc, epi e)
{
    int i = 0;
    switch (N) {
        NN2_NARROW_CASE(1) NN2_NARROW_CASE(2) NN2_NARROW_CASE(3) NN2_NARROW_CASE(4)
        NN2_NARROW_CASE(5) NN2_NARROW_CASE(6) NN2_NARROW_CASE(7) NN2_NARROW_CASE(8)
        NN2_NARROW_CASE(9) NN2_NARROW_CASE(10) NN2_NARROW_CASE(11) NN2_NARROW_CASE(12)
        NN2_NARROW_CASE(13) NN2_NARROW_CASE(14) NN2_NARROW_CASE(15) NN2_NARROW_CASE(16)
    default: break;
    }
    return i;
}
#undef NN2_NARROW_CASE

void nn2_k_gemm_tn_avx512(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                          float *C, int ldc, float alpha, float beta)
{
    const int add = alpha == 1.0f && beta == 1.0f; /* C += A^T.B: see epi */
    const epi e = add ? (epi){1.0f, 1.0f, 1, 1} : (epi){alpha, beta, 1, 0};
    const int i = N <= 16 && M >= 16 && K >= NARROW_MIN_K
                      ? tn_narrow(M, N, K, A, lda, B, ldb, C, ldc, e) : 0;
    if (i == M) return;
    A += i;
    C += (size_t)i * ldc;
    if (add) /* (a constant epi each: gemm_any is inlined into both) */
        gemm_any(0, M - i, N, K, A, 1, lda, B, ldb, NULL, C, ldc, (epi){1.0f, 1.0f, 1, 1}, NOSEL);
    else
        gemm_any(0, M - i, N, K, A, 1, lda, B, ldb, NULL, C, ldc, (epi){alpha, beta, 1, 0}, NOSEL);
}

/* gemm_tn_sel's column panel of nv vectors: the selected rows in tiles of R, the rest in 4, 2,
 * 1 (every element as in any tile). A loop of its own, not panel's, which the forward products
 * share: through panel, 784 x 100 (K = 10, real mini-batches' selections) took 1.16x the TSC
 * cycles of this loop, and 1.20x with every row selected; tiles of 6 rows x 3 vectors rather
 * than 8 gained 7% more at 40 units, nothing at 64 or 100. */
static inline __attribute__((always_inline)) void sel_panel(const int nv, const int R, int M, int K,
                                                            const float *A, int lda, const float *B, int ldb,
                                                            float *C, int ldc, __mmask16 mlast, epi e, sel s)
{
    int i = 0;
    for (; i + R <= M; i += R)
        tile(R, nv, K, A, 1, lda, B, ldb, NULL, C, ldc, mlast, e, (sel){NULL, s.c + i, s.base}, NOPF);
    for (int r = 4; r >= 1; r /= 2)
        if (i + r <= M) {
            tile_rows_sel(nv, r, K, A, 1, lda, B, ldb, NULL, C, ldc, mlast, e, (sel){NULL, s.c + i, s.base});
            i += r;
        }
}

static inline __attribute__((always_inline)) void gemm_tn_sel_any(int M, int N, int K, const float *A, int lda,
                                                                  const float *B, int ldb, float *C, int ldc,
                                                                  epi e, sel s)
{
    for (int j = 0; j < N; j += 48) {
        const int cols = N - j < 48 ? N - j : 48;
        const int nv = (cols + 15) / 16;
        const __mmask16 mlast = tail_mask(cols - 16 * (nv - 1));
        if (nv == 3)
            sel_panel(3, 6, M, K, A, lda, B + j, ldb, C + j, ldc, mlast, e, s);
        else if (nv == 2)
            sel_panel(2, 8, M, K, A, lda, B + j, ldb, C + j, ldc, mlast, e, s);
        else
            sel_panel(1, 8, M, K, A, lda, B + j, ldb, C + j, ldc, mlast, e, s);
    }
}

void nn2_k_gemm_tn_sel_avx512(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                              const int *csel, int base, float *C, int ldc, float alpha, float beta)
{
    const sel s = {NULL, csel, base};
    if (alpha == 1.0f && beta == 1.0f)
        gemm_tn_sel_any(M, N, K, A, lda, B, ldb, C, ldc, (epi){1.0f, 1.0f, 1, 1}, s);
    else if (beta == 0.0f)
        gemm_tn_sel_any(M, N, K, A, lda, B, ldb, C, ldc, (epi){alpha, 0.0f, 1, 0}, s);
    else
        gemm_tn_sel_any(M, N, K, A, lda, B, ldb, C, ldc, (epi){alpha, beta, 1, 0}, s);
}

/* 16 columns at a time: the OR of the rows' bits without the sign says which are non-zero in
 * some row; their indices packed by a compress (in a register: the memory form is slow on Zen
 * 4) and stored whole (ksel has 16 entries to spare), n advancing by the count. */
int nn2_k_nz_cols_avx512(int M, const float *x, int ldx, int k0, int k1, int *ksel)
{
    const __m512i mag = _mm512_set1_epi32(0x7FFFFFFF), step = _mm512_set1_epi32(16);
    __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(k0),
                                   _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    int n = 0;
    for (int k = k0; k < k1; k += 16, idx = _mm512_add_epi32(idx, step)) {
        const __mmask16 m = tail_mask(k1 - k);
        const float *c = x + k;
        __m512i o0 = _mm512_maskz_loadu_epi32(m, c), o1 = _mm512_setzero_si512();
        int r = 1;
        for (; r + 2 <= M; r += 2) { /* two chains */
            o0 = _mm512_or_si512(o0, _mm512_maskz_loadu_epi32(m, c + (size_t)r * ldx));
            o1 = _mm512_or_si512(o1, _mm512_maskz_loadu_epi32(m, c + (size_t)(r + 1) * ldx));
        }
        if (r < M) o0 = _mm512_or_si512(o0, _mm512_maskz_loadu_epi32(m, c + (size_t)r * ldx));
        const __mmask16 nz = _mm512_test_epi32_mask(_mm512_or_si512(o0, o1), mag);
        _mm512_storeu_si512(ksel + n, _mm512_maskz_compress_epi32(nz, idx));
        n += __builtin_popcount(nz);
    }
    return n;
}

void nn2_k_zero_gaps_avx512(int r0, int r1, int n, const int *rows, int M, int base, float *C,
                            int ldc)
{
    if (n <= 0) return;
    const __m512 z = _mm512_setzero_ps();
    const __mmask16 mlast = tail_mask(n - 16 * ((n - 1) / 16));
#define ZERO_ROW(c)                                                          \
    do {                                                                     \
        float *c_ = (c);                                                     \
        int j = 0;                                                           \
        for (; j + 16 < n; j += 16) _mm512_storeu_ps(c_ + j, z);             \
        _mm512_mask_storeu_ps(c_ + j, mlast, z);                             \
    } while (0)
    NN2_ZERO_GAPS_WALK(ZERO_ROW);
#undef ZERO_ROW
}

/* p/255 correctly rounded, with no floating-point arithmetic. p/255 = M/(2^32 - 1) for the
 * integer M = p * 0x01010101 (the byte p in all four bytes of a word), so p/255 * 2^32 is M plus
 * a positive fraction below one. For p > 0, M has 25 + k significant bits (2^k <= p < 2^(k+1))
 * and the k + 1 that a float's 24-bit significand drops are p itself, at least half a unit in
 * the last place: the nearest float to p/255 * 2^32 is M rounded up (a conversion with
 * round-up; 255 gives 2^32). Times 2^-32 is then an exponent 32 lower, subtracted from the
 * upper 16 bits with unsigned saturation, so that 0 stays 0. Every pixel value is checked
 * against the scalar division (test_kernels). */
static inline void u8_chunk(const uint8_t *src, float *dst)
{
    /* lane i of the result: byte i of the 16 (each 128-bit lane holds all 16 bytes) */
    const __m512i spread = _mm512_set_epi32(0x0f0f0f0f, 0x0e0e0e0e, 0x0d0d0d0d, 0x0c0c0c0c,
                                            0x0b0b0b0b, 0x0a0a0a0a, 0x09090909, 0x08080808,
                                            0x07070707, 0x06060606, 0x05050505, 0x04040404,
                                            0x03030303, 0x02020202, 0x01010101, 0x00000000);
    const __m512i bytes = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(const void *)src));
    const __m512i m = _mm512_shuffle_epi8(bytes, spread); /* p * 0x01010101 */
    const __m512 up = _mm512_cvt_roundepu32_ps(m, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
    const __m512i minus32 = _mm512_set1_epi32(32 << 23); /* 2^-32: exponent - 32 */
    _mm512_storeu_ps(dst, _mm512_castsi512_ps(_mm512_subs_epu16(_mm512_castps_si512(up), minus32)));
}

void nn2_k_u8_to_f32_avx512(int n, const uint8_t *src, float *dst)
{
    int i = 0;
    for (; i + 16 <= n; i += 16) u8_chunk(src + i, dst + i);
    if (i < n && n >= 16) { /* a ragged end (half a row of 784): the last 16, again in part */
        u8_chunk(src + n - 16, dst + n - 16);
        return;
    }
    for (; i < n; i++) dst[i] = (float)src[i] / 255.0f; /* the same correctly rounded quotient */
}

/* The lanes of one level of sums16: level l adds lanes i and i + h (h = 8 >> l) of each group
 * of 2h; output lane q holds a's sum (q < 8) or b's (q >= 8: permutex2var's indices from 16). */
static const int32_t sums16_lo[4][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23},
    {0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27},
    {0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29},
    {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30},
};

static inline __attribute__((always_inline)) __m512 sums16_level(__m512 a, __m512 b, int l)
{
    const __m512i lo = _mm512_loadu_si512(sums16_lo[l]);
    const __m512i hi = _mm512_add_epi32(lo, _mm512_set1_epi32(8 >> l));
    return _mm512_add_ps(_mm512_permutex2var_ps(a, hi, b), _mm512_permutex2var_ps(a, lo, b));
}

/* The lane sums of n <= 16 vectors v at once: lane q of the result is v[q]'s sum (lanes past n:
 * zero), in _mm512_reduce_add_ps's order, t[i] = x[i + 8] + x[i], then t[i + 4] + t[i], then
 * + 2, then + 1, each add the same two numbers as there. Each level halves the vectors, adding
 * the lane pairs of two in one add: 15 adds and 30 permutes for 16 vectors, where a reduce each
 * takes 4 adds and 4 shuffles or extracts (a tile of 8 x 2 over 784 inputs, hot: 0.21 -> 0.19
 * us; B3's tail sums in the step 3.5 -> 3.3 us a thread; bench/HISTORY.md). */
static inline __attribute__((always_inline)) __m512 sums16(const int n, const __m512 *v)
{
    const __m512 z = _mm512_setzero_ps();
    __m512 a[8], b[4], c[2]; /* after level l + 1, vector i holds 2^(l + 1) sums of 8 >> l lanes */
    _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++)
        a[i] = 2 * i < n ? sums16_level(v[2 * i], 2 * i + 1 < n ? v[2 * i + 1] : z, 0) : z;
    _Pragma("GCC unroll 4") for (int i = 0; i < 4; i++)
        b[i] = 4 * i < n ? sums16_level(a[2 * i], a[2 * i + 1], 1) : z;
    _Pragma("GCC unroll 2") for (int i = 0; i < 2; i++)
        c[i] = 8 * i < n ? sums16_level(b[2 * i], b[2 * i + 1], 2) : z;
    return sums16_level(c[0], c[1], 3);
}

/* C (M,N) = A (M,K) . B^T with B (N,K): each element a dot product over k, vectorised over k
 * in 16-lane partial sums (the last chunk, full or not, masked), then the lanes' sum in
 * _mm512_reduce_add_ps's order (a tile's at once: sums16). Register-blocked up to 4 rows x 4
 * columns (16 independent chains hide the FMA latency that one chain per element exposes); the
 * blocking never changes an element's operations. */
static inline __attribute__((always_inline)) void nt_tile(const int mr, const int nr, int K,
                                                          const float *A, int lda, const float *B,
                                                          int ldb, float *C, int ldc)
{
    const __mmask16 mt = tail_mask(K % 16 ? K % 16 : 16);
    const int kfull = K % 16 ? K - K % 16 : K - 16;
    __m512 acc[8][4];
    _Pragma("GCC unroll 8") for (int i = 0; i < mr; i++)
        _Pragma("GCC unroll 4") for (int j = 0; j < nr; j++) acc[i][j] = _mm512_setzero_ps();
#define NN2_NT_CHUNK(LOAD)                                                                         \
    do {                                                                                           \
        __m512 a[8];                                                                               \
        _Pragma("GCC unroll 8") for (int i = 0; i < mr; i++) a[i] = LOAD(A + (size_t)i * lda + k); \
        _Pragma("GCC unroll 4") for (int j = 0; j < nr; j++) {                                     \
            const __m512 b = LOAD(B + (size_t)j * ldb + k);                                        \
            _Pragma("GCC unroll 8") for (int i = 0; i < mr; i++)                                   \
                acc[i][j] = _mm512_fmadd_ps(a[i], b, acc[i][j]);                                   \
        }                                                                                          \
    } while (0)
#define NN2_LOAD_MT(p) _mm512_maskz_loadu_ps(mt, p)
    int k = 0;
    for (; k < kfull; k += 16) NN2_NT_CHUNK(_mm512_loadu_ps);
    if (K > 0) NN2_NT_CHUNK(NN2_LOAD_MT);
#undef NN2_LOAD_MT
#undef NN2_NT_CHUNK
    __m512 v[16]; /* element (i, j)'s lanes: v[i * nr + j], its sum in lane i * nr + j */
    _Pragma("GCC unroll 8") for (int i = 0; i < mr; i++)
        _Pragma("GCC unroll 4") for (int j = 0; j < nr; j++) v[i * nr + j] = acc[i][j];
    const __m512 sums = sums16(mr * nr, v);
    if (ldc == nr) { /* the rows adjacent (a transposed tail's sums): one store */
        _mm512_mask_storeu_ps(C, (__mmask16)((1u << (mr * nr)) - 1u), sums);
        return;
    }
    float t[16];
    _mm512_storeu_ps(t, sums);
    _Pragma("GCC unroll 8") for (int i = 0; i < mr; i++)
        _Pragma("GCC unroll 4") for (int j = 0; j < nr; j++)
            C[(size_t)i * ldc + j] = t[i * nr + j];
}

/* A block of mr x nr (1..4 each) known only at run time: the edges. */
static __attribute__((noinline)) void nt_tile_any(int mr, int nr, int K, const float *A, int lda,
                                                  const float *B, int ldb, float *C, int ldc)
{
    switch ((mr - 1) * 4 + (nr - 1)) {
#define NN2_NT_CASE(r, c) \
    case (r - 1) * 4 + (c - 1): nt_tile(r, c, K, A, lda, B, ldb, C, ldc); break;
#define NN2_NT_ROW(r) NN2_NT_CASE(r, 1) NN2_NT_CASE(r, 2) NN2_NT_CASE(r, 3) NN2_NT_CASE(r, 4)
        NN2_NT_ROW(1) NN2_NT_ROW(2) NN2_NT_ROW(3) NN2_NT_ROW(4)
#undef NN2_NT_ROW
#undef NN2_NT_CASE
    default: break;
    }
}

/* One or two columns (a transposed tail's half of 2 units): up to 8 rows a tile (10 = 5 + 5),
 * more chains per B load than 4-row tiles. */
static __attribute__((noinline)) void nt_narrow(int mr, int nr, int K, const float *A, int lda,
                                                const float *B, int ldb, float *C, int ldc)
{
    switch ((mr - 1) * 2 + (nr - 1)) {
#define NN2_NT_CASE(r, c) \
    case (r - 1) * 2 + (c - 1): nt_tile(r, c, K, A, lda, B, ldb, C, ldc); break;
#define NN2_NT_ROW(r) NN2_NT_CASE(r, 1) NN2_NT_CASE(r, 2)
        NN2_NT_ROW(1) NN2_NT_ROW(2) NN2_NT_ROW(3) NN2_NT_ROW(4)
        NN2_NT_ROW(5) NN2_NT_ROW(6) NN2_NT_ROW(7) NN2_NT_ROW(8)
#undef NN2_NT_ROW
#undef NN2_NT_CASE
    default: break;
    }
}

void nn2_k_gemm_nt_avx512(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                          float *C, int ldc)
{
    if (N <= 2) {
        for (int i = 0; i < M;) {
            const int r = M - i, mr = r >= 16 || r == 8 ? 8 : r > 8 ? (r + 1) / 2 : r;
            nt_narrow(mr, N, K, A + (size_t)i * lda, lda, B, ldb, C + (size_t)i * ldc, ldc);
            i += mr;
        }
        return;
    }
    for (int i = 0; i < M; i += 4) {
        const int mr = M - i < 4 ? M - i : 4;
        for (int j = 0; j < N; j += 4) {
            const int nr = N - j < 4 ? N - j : 4;
            const float *a = A + (size_t)i * lda, *b = B + (size_t)j * ldb;
            float *c = C + (size_t)i * ldc + j;
            if (mr == 4 && nr == 4)
                nt_tile(4, 4, K, a, lda, b, ldb, c, ldc);
            else
                nt_tile_any(mr, nr, K, a, lda, b, ldb, c, ldc);
        }
    }
}

void nn2_k_colsum_avx512(int M, int N, const float *A, int lda, float *out)
{
    for (int j = 0; j < N; j += 16) {
        const __mmask16 m = tail_mask(N - j);
        __m512 acc = _mm512_setzero_ps();
        for (int i = 0; i < M; i++) acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, A + (size_t)i * lda + j));
        _mm512_mask_storeu_ps(out + j, m, acc);
    }
}
