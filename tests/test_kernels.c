/* test_kernels.c ISA: one ISA's kernels against the scalar reference at ragged sizes, the
 * determinism contract (any row split gives bit-identical results), and the vectorised
 * sigmoid against libm in double. Exit 77 (skipped) when this CPU or build lacks the ISA. */
#include <math.h>
#include <stdint.h>

#include "kernels_impl.h"
#include "rng.h"
#include "test_util.h"

static uint64_t rs = 88172645463325252ULL;
static float frand(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (float)((double)(rs >> 11) * 0x1.0p-53 * 2.0 - 1.0);
}

static float *rnd(size_t n)
{
    float *p = malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) p[i] = frand();
    return p;
}

enum { NN, NT, TN };

/* Run op on (M,N,K); check against scalar with |c - ref| <= 1e-5 * sum |a b| + 1e-30, and that
 * splitting rows [0,M) into pieces (and for gemm_nt, columns) gives bit-identical results. */
static void check_gemm(const nn2_kernels *k, int op, int M, int N, int K, int use_bias)
{
    const int lda = op == TN ? M + 3 : K + 1, ldb = op == NT ? K + 2 : N + 5, ldc = N + 1;
    const size_t asz = op == TN ? (size_t)K * lda : (size_t)M * lda;
    const size_t bsz = op == NT ? (size_t)N * ldb : (size_t)K * ldb;
    float *A = rnd(asz), *B = rnd(bsz), *bias = rnd((size_t)N);
    float *C = rnd((size_t)M * ldc), *R = malloc(sizeof(float) * (size_t)M * ldc), *S = rnd((size_t)M * ldc);
    const float *bb = use_bias ? bias : NULL;
    const nn2_kernels *ref = nn2_kernels_for(NN2_ISA_SCALAR);
    const int guard_col = ldc - 1; /* must never be written: C rows have a spare column */
    for (int i = 0; i < M; i++) C[(size_t)i * ldc + guard_col] = S[(size_t)i * ldc + guard_col] = 12345.0f;
    switch (op) {
    case NN: k->gemm_nn(M, N, K, A, lda, B, ldb, 1.0f, bb, C, ldc); ref->gemm_nn(M, N, K, A, lda, B, ldb, 1.0f, bb, R, ldc); break;
    case NT: k->gemm_nt(M, N, K, A, lda, B, ldb, C, ldc); ref->gemm_nt(M, N, K, A, lda, B, ldb, R, ldc); break;
    case TN: k->gemm_tn(M, N, K, A, lda, B, ldb, C, ldc, 1.0f, 0.0f); ref->gemm_tn(M, N, K, A, lda, B, ldb, R, ldc, 1.0f, 0.0f); break;
    }
    double worst = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double mag = use_bias && op == NN ? fabs(bias[j]) : 0;
            for (int q = 0; q < K; q++) {
                const float a = op == TN ? A[(size_t)q * lda + i] : A[(size_t)i * lda + q];
                const float b = op == NT ? B[(size_t)j * ldb + q] : B[(size_t)q * ldb + j];
                mag += fabs((double)a * b);
            }
            const double e = fabs((double)C[(size_t)i * ldc + j] - R[(size_t)i * ldc + j]) / (mag + 1e-30);
            if (e > worst) worst = e;
        }
    CHECK(worst <= 1e-5, "%s op %d M=%d N=%d K=%d: error %.3g relative to sum|ab|", k->name, op, M, N, K, worst);
    int guard_ok = 1;
    for (int i = 0; i < M; i++) guard_ok &= C[(size_t)i * ldc + guard_col] == 12345.0f;
    CHECK(guard_ok, "%s op %d M=%d N=%d: wrote past column N", k->name, op, M, N);
    /* row splits: [0,r) [r,M) for a few r, and single rows */
    for (int r = 1; r < M; r += (M > 20 ? M / 5 : 1)) {
        for (int part = 0; part < 2; part++) {
            const int r0 = part ? r : 0, r1 = part ? M : r;
            const int m = r1 - r0;
            float *Cp = S + (size_t)r0 * ldc;
            switch (op) {
            case NN: k->gemm_nn(m, N, K, A + (size_t)r0 * lda, lda, B, ldb, 1.0f, bb, Cp, ldc); break;
            case NT: k->gemm_nt(m, N, K, A + (size_t)r0 * lda, lda, B, ldb, Cp, ldc); break;
            case TN: k->gemm_tn(m, N, K, A + r0, lda, B, ldb, Cp, ldc, 1.0f, 0.0f); break;
            }
        }
        int same = 1;
        for (int i = 0; i < M; i++) same &= memcmp(S + (size_t)i * ldc, C + (size_t)i * ldc, sizeof(float) * N) == 0;
        CHECK(same, "%s op %d M=%d N=%d K=%d: split at row %d changes bits", k->name, op, M, N, K, r);
    }
    if (op == NT) { /* the blocking must not change an element either: one column per call */
        for (int j = 0; j < N; j++) k->gemm_nt(M, 1, K, A, lda, B + (size_t)j * ldb, ldb, S + j, ldc);
        int same = 1;
        for (int i = 0; i < M; i++) same &= memcmp(S + (size_t)i * ldc, C + (size_t)i * ldc, sizeof(float) * N) == 0;
        CHECK(same, "%s gemm_nt M=%d N=%d K=%d: one column per call changes bits", k->name, M, N, K);
    }
    free(A); free(B); free(bias); free(C); free(R); free(S);
}

/* gemm_nt's elements in the AVX-512 set, bit for bit against the order its kernel states and the
 * models saved since rest on: per element 16 lanes, lane l an FMA chain over k = l, l + 16, ...
 * (the last chunk's missing lanes adding +0 * +0), then the lanes summed as _mm512_reduce_add_ps
 * sums them, t[i] = x[i + 8] + x[i], then t[i + 4] + t[i], + 2, + 1. The kernel sums a tile's
 * elements together (sums16); a change of that order fails here, where the comparison with the
 * scalar set's tolerance would not see it. Both stores: C's rows adjacent (ldc = N) or apart. */
static void check_nt_order(const nn2_kernels *k, int M, int N, int K)
{
    const int lda = K + 3, ldb = K + 1;
    float *A = rnd((size_t)M * lda), *B = rnd((size_t)N * ldb), *C = rnd((size_t)M * (N + 2));
    for (int ldc = N; ldc <= N + 2; ldc += 2) {
        k->gemm_nt(M, N, K, A, lda, B, ldb, C, ldc);
        int same = 1;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                const float *a = A + (size_t)i * lda, *b = B + (size_t)j * ldb;
                float x[16] = {0}, t[8];
                const int kfull = K % 16 ? K - K % 16 : K - 16;
                int q = 0;
                for (; q < kfull; q += 16)
                    for (int l = 0; l < 16; l++) x[l] = fmaf(a[q + l], b[q + l], x[l]);
                for (int l = 0; l < 16; l++)
                    x[l] = q + l < K ? fmaf(a[q + l], b[q + l], x[l]) : fmaf(0.0f, 0.0f, x[l]);
                for (int h = 8; h >= 1; h /= 2) {
                    for (int l = 0; l < h; l++) t[l] = x[l + h] + x[l];
                    memcpy(x, t, sizeof(float) * (size_t)h);
                }
                same &= memcmp(&x[0], &C[(size_t)i * ldc + j], sizeof(float)) == 0;
            }
        CHECK(same, "%s gemm_nt M=%d N=%d K=%d ldc=%d: not the lanes' order of the contract", k->name, M,
              N, K, ldc);
    }
    free(A);
    free(B);
    free(C);
}

/* zero_gaps on rows [r0, r1) of a random matrix, with lists of none, some and all of those rows
 * (runs and single rows, base 5): exactly the rows of the range not in the list become +0 over
 * n columns; the listed rows, the rows outside the range and the columns past n keep their bits. */
static void check_zero_gaps(const nn2_kernels *k)
{
    const int R = 70, ldc = 40, ns[] = {1, 15, 16, 17, 33};
    float *C = rnd((size_t)R * ldc), *C0 = malloc(sizeof(float) * (size_t)R * ldc);
    int rows[70];
    memcpy(C0, C, sizeof(float) * (size_t)R * ldc);
    for (int t = 0; t < 40; t++) {
        const int n = ns[t % 5], r0 = t % 3 ? 3 * (t % 7) : 0, r1 = t % 4 ? R - (t % 5) : R;
        const int keep = t % 8 == 0 ? 0 : t % 8 == 1 ? 100 : 45, base = 5;
        int m = 0;
        for (int r = r0; r < r1; r++)
            if ((int)((frand() + 1.0f) * 50.0f) < keep) rows[m++] = r + base;
        k->zero_gaps(r0, r1, n, rows, m, base, C, ldc);
        int ok = 1;
        for (int r = 0, i = 0; r < R; r++) {
            const int listed = i < m && rows[i] - base == r, gap = r >= r0 && r < r1 && !listed;
            i += listed;
            for (int j = 0; j < ldc; j++) {
                const float want = gap && j < n ? 0.0f : C0[(size_t)r * ldc + j];
                ok &= memcmp(&C[(size_t)r * ldc + j], &want, sizeof want) == 0;
            }
        }
        CHECK(ok, "%s zero_gaps rows [%d, %d) n=%d, %d listed: wrong rows zeroed", k->name, r0, r1, n, m);
        memcpy(C, C0, sizeof(float) * (size_t)R * ldc);
    }
    free(C);
    free(C0);
}

/* The _sel products over a mini-batch's non-zero inputs: x (M rows, inputs [k0, k1)) with whole
 * columns zero (some as -0), nz_cols against a plain scan, then gemm_nn_sel and gemm_tn_sel
 * over those inputs (the lazy decay's add, the update epilogue on the selected rows, and the
 * plain gradient with the rows not selected zeroed by zero_gaps) bit for bit equal to gemm_nn
 * and gemm_tn of the same ISA over every input; rows not selected left as they were. */
static void check_sel(const nn2_kernels *k, int M, int N, int K, int k0, int zero_pct)
{
    const int k1 = k0 + K, ldx = k1 + 3, ldw = N + 2;
    float *x = rnd((size_t)M * ldx), *W = rnd((size_t)K * ldw + N), *bias = W + (size_t)K * ldw;
    float *D = rnd((size_t)M * N), *C1 = rnd((size_t)M * ldw), *C2 = rnd((size_t)M * ldw);
    float *G1 = malloc(sizeof(float) * (size_t)K * ldw), *G2 = malloc(sizeof(float) * (size_t)K * ldw);
    int *ks = malloc(sizeof(int) * (size_t)(K + 16)), *want = malloc(sizeof(int) * (size_t)(K + 1)), nw = 0;
    for (int c = k0; c < k1; c++) {
        const int zero = (int)((frand() + 1.0f) * 50.0f) < zero_pct;
        for (int r = 0; r < M; r++) {
            float *v = &x[(size_t)r * ldx + c];
            if (zero || frand() < -0.5f) *v = frand() < 0.0f ? -0.0f : 0.0f; /* also zeros in kept columns */
        }
        int nz = 0;
        for (int r = 0; r < M; r++) nz |= x[(size_t)r * ldx + c] != 0.0f;
        if (nz) want[nw++] = c;
    }
    const int n = k->nz_cols(M, x, ldx, k0, k1, ks);
    CHECK(n == nw && memcmp(ks, want, sizeof(int) * (size_t)n) == 0, "%s nz_cols M=%d K=%d k0=%d: %d columns, want %d",
          k->name, M, K, k0, n, nw);
    /* forward: z = x[:, k0:k1] . W + b over every input and over the selected ones */
    k->gemm_nn(M, N, K, x + k0, ldx, W, ldw, 1.0f, bias, C1, ldw);
    k->gemm_nn_sel(M, N, nw, x + k0, ldx, want, k0, W, ldw, 1.0f, bias, C2, ldw);
    int same = 1;
    for (int r = 0; r < M; r++) same &= memcmp(C1 + (size_t)r * ldw, C2 + (size_t)r * ldw, sizeof(float) * N) == 0;
    CHECK(same, "%s gemm_nn_sel M=%d N=%d K=%d (%d selected): bits differ from gemm_nn", k->name, M, N, K, nw);
    /* the scaled epilogue (the lazy decay's s * (x . W) + b): alpha times the plain sum, then the
     * bias (or none), two roundings as computed here, over every input and the selected ones */
    float *P = malloc(sizeof(float) * (size_t)M * ldw), *E = malloc(sizeof(float) * (size_t)M * ldw);
    k->gemm_nn(M, N, K, x + k0, ldx, W, ldw, 1.0f, NULL, P, ldw);
    for (int q = 0; q < 3; q++) {
        const float alpha = q == 2 ? -1.5f : 0.99902344f, *b = q == 1 ? NULL : bias;
        for (int r = 0; r < M; r++)
            for (int j = 0; j < N; j++) {
                volatile float t = alpha * P[(size_t)r * ldw + j]; /* rounded on its own */
                E[(size_t)r * ldw + j] = b ? t + b[j] : t;
            }
        k->gemm_nn(M, N, K, x + k0, ldx, W, ldw, alpha, b, C1, ldw);
        k->gemm_nn_sel(M, N, nw, x + k0, ldx, want, k0, W, ldw, alpha, b, C2, ldw);
        int s1 = 1, s2 = 1;
        for (int r = 0; r < M; r++) {
            s1 &= memcmp(C1 + (size_t)r * ldw, E + (size_t)r * ldw, sizeof(float) * N) == 0;
            s2 &= memcmp(C2 + (size_t)r * ldw, E + (size_t)r * ldw, sizeof(float) * N) == 0;
        }
        CHECK(s1 && s2, "%s gemm_nn%s M=%d N=%d K=%d alpha=%g%s: bits differ from alpha * sum + b", k->name,
              s1 ? "_sel" : "", M, N, K, (double)alpha, b ? "" : " (no bias)");
    }
    free(P);
    free(E);
    /* gradient: W += x^T . D (alpha = beta = 1), W = 0.9999 W - 0.05 x^T . D on the selected
     * rows, and G = x^T . D (beta = 0) on the selected rows with the others set to +0 by
     * zero_gaps (the sparse layer's gradient for momentum and L1), which must be gemm_tn's bits
     * on every row */
    for (int add = 1; add >= -1; add--) {
        const float alpha = add ? 1.0f : -0.05f, beta = add > 0 ? 1.0f : add ? 0.0f : 0.9999f;
        memcpy(G1, W, sizeof(float) * (size_t)K * ldw);
        memcpy(G2, W, sizeof(float) * (size_t)K * ldw);
        if (add < 0) k->zero_gaps(0, K, N, want, nw, k0, G2, ldw);
        k->gemm_tn(K, N, M, x + k0, ldx, D, N, G1, ldw, alpha, beta);
        k->gemm_tn_sel(nw, N, M, x + k0, ldx, D, N, want, k0, G2, ldw, alpha, beta);
        same = 1;
        for (int c = 0, j = 0; c < K; c++) {
            const int chosen = j < nw && want[j] == k0 + c;
            const float *want_row = chosen || add ? G1 + (size_t)c * ldw : W + (size_t)c * ldw;
            same &= memcmp(G2 + (size_t)c * ldw, want_row, sizeof(float) * N) == 0;
            j += chosen;
        }
        CHECK(same, "%s gemm_tn_sel M=%d N=%d K=%d (%d selected) alpha=%g beta=%g: bits differ from gemm_tn", k->name,
              K, N, M, nw, alpha, beta);
    }
    free(x); free(W); free(D); free(C1); free(C2); free(G1); free(G2); free(ks); free(want);
}

static double ulp_err(float got, double want)
{
    const float w = (float)want;
    const float u = nextafterf(fabsf(w), INFINITY) - fabsf(w);
    return fabs((double)got - want) / u;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "scalar";
    int isa = -1;
    for (int i = 0; i < NN2_ISA_COUNT; i++)
        if (!strcmp(name, nn2_isa_str((nn2_isa)i))) isa = i;
    if (isa < 0) return 2;
    const nn2_kernels *k = nn2_kernels_for((nn2_isa)isa);
    if (!k) {
        printf("%s: not supported by this CPU or build; skipped\n", name);
        return 77;
    }
    const int sz[] = {1, 3, 15, 16, 17, 31, 784, 1000};
    for (int op = 0; op < 3; op++)
        for (int a = 0; a < 8; a++)
            for (int b = 0; b < 8; b++) {
                /* M and N ragged, K over all sizes but the cube of the big ones */
                const int M = sz[a] > 31 ? 33 : sz[a];
                check_gemm(k, op, M, sz[b], sz[(a + b) % 8], op == NN && (a & 1));
                check_gemm(k, op, sz[b] > 31 ? 19 : sz[b], sz[a], sz[b], op == NN);
            }
    check_gemm(k, NN, 128, 800, 784, 1); /* B4's first layer */
    check_gemm(k, NN, 10, 30, 392, 1);   /* tall tiles: B1's half of the inputs, */
    check_gemm(k, NN, 12, 32, 100, 0);   /* 12 rows of 2 vectors, */
    check_gemm(k, NN, 13, 16, 50, 1);    /* 13 of 1 */
    check_gemm(k, TN, 784, 800, 128, 0);
    check_gemm(k, TN, 400, 10, 128, 0); /* by rows: B4's output layer on a thread, */
    check_gemm(k, TN, 57, 16, 32, 0);   /* 32 + 16 rows and 9 by columns, at NARROW_MIN_K */
    check_gemm(k, TN, 2, 784, 10, 0); /* a transposed tail's half of 2 units: wide tiles */
    check_gemm(k, TN, 2, 1000, 3, 0);
    check_gemm(k, NT, 10, 2, 784, 0); /* and its forward: tall tiles of 1-2 columns */
    check_gemm(k, NT, 19, 2, 31, 0);
    if (isa == NN2_ISA_AVX512) { /* tiles of 8 x 2, 5 x 2, 4 x 4, their edges, one element */
        const int nt[][3] = {{8, 2, 784}, {10, 2, 784}, {16, 1, 100}, {5, 2, 17}, {4, 4, 100},
                             {9, 7, 31}, {3, 3, 16}, {1, 1, 1}, {6, 2, 15}};
        for (int i = 0; i < 9; i++) check_nt_order(k, nt[i][0], nt[i][1], nt[i][2]);
    }

    {
        const int ms[] = {1, 3, 10, 16, 17}, ns[] = {1, 15, 16, 17, 31, 48, 100, 112};
        const int ks[] = {1, 17, 392, 784}, zs[] = {0, 50, 90, 100};
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 8; b++)
                for (int c = 0; c < 4; c++)
                    check_sel(k, ms[a], ns[b], ks[c], (a + b) % 3 ? 0 : 392, zs[(a + b + c) % 4]);
        check_sel(k, 100, 100, 784, 0, 50); /* B3's and B4's shapes */
        check_sel(k, 128, 800, 784, 0, 30);
        check_zero_gaps(k);
    }
    /* gemm_tn's update epilogue: C = beta*C + alpha*sum, the same roundings as sum then
     * update: bit-identical to the two-pass form of the same ISA; also with alpha = beta = 1
     * (C + sum: the lazy decay's update, a path of its own in the SIMD kernels) */
    for (int a = 0; a < 11; a++) /* a = 8: 2 x 784, the wide tiles; 9, 10: 16 columns or fewer over
                                    32 samples or more, by rows (tn_narrow in the AVX-512 set) */
        for (int add = 0; add < 2; add++) {
            const int M = a == 8 ? 2 : a == 9 ? 50 : a == 10 ? 400 : sz[a] > 100 ? 37 : sz[a];
            const int N = a == 8 ? 784 : a == 9 ? 10 : a == 10 ? 16 : sz[(a + 5) % 8], K = a < 9 ? 10 : a == 9 ? 32 : 128;
            const float alpha = add ? 1.0f : -0.05f, beta = add ? 1.0f : 0.9999f;
            float *A = rnd((size_t)K * M), *B = rnd((size_t)K * N), *W = rnd((size_t)M * N);
            float *W2 = malloc(sizeof(float) * M * N), *G = malloc(sizeof(float) * M * N);
            memcpy(W2, W, sizeof(float) * M * N);
            k->gemm_tn(M, N, K, A, M, B, N, W, N, alpha, beta);
            k->gemm_tn(M, N, K, A, M, B, N, G, N, 1.0f, 0.0f);
            for (int i = 0; i < M * N; i++) W2[i] = beta * W2[i] + alpha * G[i];
            CHECK(memcmp(W, W2, sizeof(float) * M * N) == 0, "%s gemm_tn update epilogue M=%d N=%d alpha=%g",
                  name, M, N, alpha);
            free(A); free(B); free(W); free(W2); free(G);
        }
    /* pixels: p / 255 correctly rounded, every value, ragged lengths */
    {
        uint8_t all[256];
        float f[256];
        for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
        k->u8_to_f32(256, all, f);
        int ok = 1;
        for (int i = 0; i < 256; i++) ok &= f[i] == (float)i / 255.0f;
        CHECK(ok, "%s u8_to_f32 differs from p/255.0f for some pixel value", name);
    }
    for (int len = 1; len <= 300; len += 37) {
        uint8_t px[300];
        float f[300];
        for (int i = 0; i < len; i++) px[i] = (uint8_t)((i * 73 + len) & 255);
        k->u8_to_f32(len, px, f);
        int ok = 1;
        for (int i = 0; i < len; i++) ok &= f[i] == (float)px[i] / 255.0f;
        CHECK(ok, "%s u8_to_f32 n=%d", name, len);
    }

    /* colsum: vectorised over columns, adding rows in order: exactly the scalar result */
    for (int a = 0; a < 8; a++) {
        const int M = sz[(a + 3) % 8] > 100 ? 100 : sz[(a + 3) % 8], N = sz[a];
        float *A = rnd((size_t)M * (N + 2)), *o = rnd((size_t)N), *r = rnd((size_t)N);
        k->colsum(M, N, A, N + 2, o);
        nn2_kernels_for(NN2_ISA_SCALAR)->colsum(M, N, A, N + 2, r);
        CHECK(memcmp(o, r, sizeof(float) * N) == 0, "%s colsum M=%d N=%d", name, M, N);
        free(A); free(o); free(r);
    }

    /* activations against libm in double over a dense grid, plus the tails */
    const int n = 200001;
    float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
    for (int i = 0; i < n; i++) x[i] = -60.0f + 120.0f * (float)i / (float)(n - 1);
    static const char *const act_name[NN2_KACT_COUNT] = {"sigmoid", "tanh", "relu"};
    const double bound[NN2_KACT_COUNT] = {4.0, 4.0, 0.0};
    for (int act = 0; act < NN2_KACT_COUNT; act++) {
        memcpy(y, x, sizeof(float) * n);
        k->act_forward[act](n, y);
        double worst = 0;
        float worst_x = 0;
        for (int i = 0; i < n; i++) {
            const double xd = x[i];
            const double want = act == NN2_KACT_SIGMOID ? 1.0 / (1.0 + exp(-xd))
                              : act == NN2_KACT_TANH ? tanh(xd) : (xd > 0 ? xd : 0.0);
            const double e = fabs(want) < 1e-30 ? fabs(y[i] - want) * 1e30 : ulp_err(y[i], want);
            if (e > worst) { worst = e; worst_x = x[i]; }
        }
        printf("%s %s: max error %.2f ulp (at x = %g) against libm in double\n", name, act_name[act], worst, worst_x);
        CHECK(worst <= bound[act], "%s %s error %.2f ulp at %g", name, act_name[act], worst, worst_x);
        /* tanh near 0: relative accuracy where 1 - exp(-2x) would cancel */
        for (float t = 1e-6f; t < 1.0f; t *= 1.37f) {
            float v[2] = {t, -t};
            k->act_forward[act](2, v);
            if (act == NN2_KACT_TANH)
                CHECK(ulp_err(v[0], tanh((double)t)) <= 4 && v[1] == -v[0], "tanh(%g) = %.9g", t, v[0]);
        }
        const float ext[] = {-1e30f, -100.0f, -88.0f, 0.0f, 88.0f, 100.0f, 1e30f};
        float e2[7];
        memcpy(e2, ext, sizeof ext);
        k->act_forward[act](7, e2);
        for (int i = 0; i < 7; i++)
            CHECK(isfinite(e2[i]) || (act == NN2_KACT_RELU && i == 6 && e2[i] == ext[i]),
                  "%s(%g) = %g", act_name[act], ext[i], e2[i]);
        if (act == NN2_KACT_SIGMOID) CHECK(e2[3] == 0.5f && e2[6] == 1.0f && e2[0] < 1e-37f, "sigmoid anchors");
        if (act == NN2_KACT_TANH) CHECK(e2[3] == 0.0f && e2[6] == 1.0f && e2[0] == -1.0f, "tanh anchors");
        if (act == NN2_KACT_RELU) CHECK(e2[3] == 0.0f && e2[0] == 0.0f && e2[5] == 100.0f, "relu anchors");
        /* backward: the same roundings as scalar, bit-identical */
        for (int len = 1; len <= 40; len += 13) {
            float *d = rnd((size_t)len), *a = rnd((size_t)len), *d2 = malloc(sizeof(float) * len);
            memcpy(d2, d, sizeof(float) * len);
            k->act_backward[act](len, d, a);
            nn2_kernels_for(NN2_ISA_SCALAR)->act_backward[act](len, d2, a);
            CHECK(memcmp(d, d2, sizeof(float) * len) == 0, "%s %s backward n=%d", name, act_name[act], len);
            free(d); free(a); free(d2);
        }
    }

    /* softmax rows: against double, rows independent of M, no NaN/Inf for huge logits */
    for (int a = 0; a < 8; a++) {
        const int cols = sz[a], rows = 5;
        float *z = rnd((size_t)rows * cols), *z1 = malloc(sizeof(float) * rows * cols);
        for (int i = 0; i < rows * cols; i++) z[i] *= 30.0f;
        memcpy(z1, z, sizeof(float) * rows * cols);
        float *orig = malloc(sizeof(float) * rows * cols);
        memcpy(orig, z, sizeof(float) * rows * cols);
        k->softmax_rows(rows, cols, z);
        for (int r = 0; r < rows; r++) k->softmax_rows(1, cols, z1 + (size_t)r * cols);
        CHECK(memcmp(z, z1, sizeof(float) * rows * cols) == 0, "%s softmax rows depend on M (n=%d)", name, cols);
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            double mx = -INFINITY, s = 0;
            for (int j = 0; j < cols; j++) mx = max_nan(mx, orig[r * cols + j]);
            for (int j = 0; j < cols; j++) s += exp((double)orig[r * cols + j] - mx);
            for (int j = 0; j < cols; j++) {
                const double want = exp((double)orig[r * cols + j] - mx) / s;
                /* bound: rounding z - max costs |z - max| * 2^-24 relative, a float sum of n
                 * terms up to n * 2^-24, exp and the division a few ulp */
                const double e = fabs(z[r * cols + j] - want) /
                                 (want * 0x1p-24 * (4.0 + fabs(orig[r * cols + j] - mx) + cols));
                if (want > 1e-30 && e > worst) worst = e;
            }
        }
        CHECK(worst < 1.0, "%s softmax n=%d: error %.3g of the bound", name, cols, worst);
        free(z); free(z1); free(orig);
    }
    float big[4] = {1e30f, -1e30f, 3e38f, 0.0f};
    k->softmax_rows(1, 4, big);
    CHECK(big[2] == 1.0f && big[0] == 0.0f && big[1] == 0.0f && big[3] == 0.0f, "softmax of huge logits: %g %g %g %g", big[0], big[1], big[2], big[3]);
    /* bp2_small: bit-identical to the steps it fuses in the same ISA (W transposed, then
     * gemm_nn, then * mask, then act_backward; the column sums by colsum; then * s), within 1e-5
     * of a double product; ragged units and rows, next layers of 1 to 16 units, each activation,
     * with and without a mask, s = 1 and not; nothing written outside the block; D at a stride
     * of its own (a packed panel's) the same bits */
    for (int a = 0; a < 8; a++)
        for (int act = 0; act < NN2_KACT_COUNT; act++)
            for (int msk = 0; msk < 2; msk++) {
                const int nu = sz[a] > 100 ? 100 : sz[a], q = 1 + (a * 5 + act) % 16, M = 1 + (a * 3 + act + msk) % 11;
                const int ld = nu + 7, ldw = q + 3, ldn = q + 1;
                float *Dn = rnd((size_t)M * ldn), *W = rnd((size_t)nu * ldw), *A = rnd((size_t)M * ld);
                float *mk = rnd((size_t)M * ld), *D = rnd((size_t)M * ld), *D2 = malloc(sizeof(float) * M * ld);
                float *Wt = malloc(sizeof(float) * q * nu);
                memcpy(D2, D, sizeof(float) * M * ld);
                for (int i = 0; i < M * ld; i++) {
                    A[i] = act == NN2_KACT_RELU ? A[i] : 0.5f + 0.5f * A[i]; /* sigmoid, tanh outputs */
                    mk[i] = mk[i] > 0.0f ? 2.0f : 0.0f;
                }
                const float sc = (a + act) % 2 ? -0.37f : 1.0f;
                float *bs = malloc(sizeof(float) * (nu + 1)), *bs2 = malloc(sizeof(float) * nu);
                bs[nu] = 12345.0f;
                k->bp2_small(M, nu, q, Dn, ldn, W, ldw, A, msk ? mk : NULL, ld, act, D, ld, bs, sc);
                /* the same block into a packed panel (D's rows nu floats apart): the same bits */
                float *Dp = malloc(sizeof(float) * ((size_t)M * nu + 1)), *bp = malloc(sizeof(float) * nu);
                Dp[(size_t)M * nu] = 4321.0f;
                k->bp2_small(M, nu, q, Dn, ldn, W, ldw, A, msk ? mk : NULL, ld, act, Dp, nu, bp, sc);
                int packed_same = memcmp(bp, bs, sizeof(float) * nu) == 0 && Dp[(size_t)M * nu] == 4321.0f;
                for (int r = 0; r < M; r++) packed_same &= memcmp(Dp + (size_t)r * nu, D + (size_t)r * ld, sizeof(float) * nu) == 0;
                CHECK(packed_same, "%s bp2_small nu=%d q=%d M=%d: rows nu apart differ from rows ld apart", name, nu, q, M);
                free(Dp); free(bp);
                for (int u = 0; u < nu; u++)
                    for (int o = 0; o < q; o++) Wt[o * nu + u] = W[u * ldw + o];
                k->gemm_nn(M, nu, q, Dn, ldn, Wt, nu, 1.0f, NULL, D2, ld);
                double worst = 0;
                int outside = 1;
                for (int r = 0; r < M; r++) {
                    float *d2 = D2 + (size_t)r * ld;
                    for (int u = 0; u < nu && msk; u++) d2[u] *= mk[r * ld + u];
                    k->act_backward[act](nu, d2, A + (size_t)r * ld);
                    for (int u = 0; u < nu; u++) {
                        double want = 0, mag = 0;
                        for (int o = 0; o < q; o++) {
                            want += (double)Dn[r * ldn + o] * W[u * ldw + o];
                            mag += fabs((double)Dn[r * ldn + o] * W[u * ldw + o]);
                        }
                        const float av = A[r * ld + u]; /* f'(a) as the kernels round it: only the product is checked here */
                        const double m = msk ? mk[r * ld + u] : 1.0;
                        const double f = act == NN2_KACT_SIGMOID ? av * (1.0f - av) : act == NN2_KACT_TANH ? 1.0f - av * av : av > 0;
                        const double e = fabs(D[r * ld + u] - want * m * f * sc) / ((mag + 1e-30) * fabs(m * f * sc) + 1e-30);
                        if (m * f != 0 && e > worst) worst = e;
                    }
                    for (int u = nu; u < ld; u++) outside &= D[r * ld + u] == D2[r * ld + u];
                }
                k->colsum(M, nu, D2, ld, bs2);
                CHECK(memcmp(bs, bs2, sizeof(float) * nu) == 0 && bs[nu] == 12345.0f, "%s bp2_small nu=%d: column sums not colsum's", name, nu);
                for (int r = 0; r < M; r++)
                    for (int u = 0; u < nu; u++) D2[r * ld + u] *= sc;
                free(bs); free(bs2);
                CHECK(memcmp(D, D2, sizeof(float) * M * ld) == 0, "%s bp2_small nu=%d q=%d M=%d %s mask=%d: not the bits of its three steps",
                      name, nu, q, M, act_name[act], msk);
                CHECK(worst <= 1e-5, "%s bp2_small nu=%d q=%d: error %.3g", name, nu, q, worst);
                CHECK(outside, "%s bp2_small nu=%d: wrote outside the block", name, nu);
                free(Dn); free(W); free(A); free(mk); free(D); free(D2); free(Wt);
            }
    /* add_act: the bits of the sum then act_forward, each activation, ragged lengths */
    for (int act = 0; act < NN2_KACT_COUNT; act++)
        for (int len = 1; len <= 70; len += 23) {
            float *pp = rnd((size_t)len), *qq = rnd((size_t)len), *x1 = malloc(sizeof(float) * (len + 1)), *x2 = malloc(sizeof(float) * len);
            for (int i = 0; i < len; i++) pp[i] *= 6.0f;
            x1[len] = 555.0f;
            k->add_act(len, x1, pp, qq, act);
            for (int i = 0; i < len; i++) x2[i] = pp[i] + qq[i];
            k->act_forward[act](len, x2);
            CHECK(memcmp(x1, x2, sizeof(float) * len) == 0 && x1[len] == 555.0f, "%s add_act act=%d n=%d", name, act, len);
            free(pp); free(qq); free(x1); free(x2);
        }
    /* out_rows: the bits of its three passes in the same ISA (the sums in order, then
     * act_forward or softmax_rows, then a - y), for 1-3 partial sums, sigmoid and softmax, one
     * register a row (n <= 16) and wider; nothing written past M x n */
    for (int a = 0; a < 6; a++)
        for (int sm = 0; sm < 2; sm++) {
            static const int ns[6] = {1, 3, 10, 16, 17, 31};
            const int nu = ns[a], M = 1 + (a * 7 + sm) % 12, np = 1 + (a + sm) % 3, ldp = nu + 5;
            const float *P[3];
            float *Pm[3];
            for (int i = 0; i < 3; i++) {
                Pm[i] = rnd((size_t)M * ldp);
                for (int j = 0; j < M * ldp; j++) Pm[i][j] *= 8.0f;
                P[i] = Pm[i];
            }
            float *b = rnd((size_t)nu), *o1 = malloc(sizeof(float) * (M * nu + 1)), *d1 = malloc(sizeof(float) * (M * nu + 1));
            float *o2 = malloc(sizeof(float) * M * nu), *d2 = malloc(sizeof(float) * M * nu);
            uint8_t *lab = malloc((size_t)M);
            for (int r = 0; r < M; r++) lab[r] = (uint8_t)((r * 5 + a) % nu);
            o1[M * nu] = d1[M * nu] = 777.0f;
            k->out_rows(M, nu, np, P, ldp, b, sm, lab, o1, d1);
            for (int r = 0; r < M; r++)
                for (int j = 0; j < nu; j++) {
                    float sum = P[0][r * ldp + j];
                    for (int i = 1; i < np; i++) sum += P[i][r * ldp + j];
                    o2[r * nu + j] = sum + b[j];
                }
            if (sm)
                k->softmax_rows(M, nu, o2);
            else
                k->act_forward[NN2_KACT_SIGMOID](M * nu, o2);
            for (int r = 0; r < M; r++)
                for (int j = 0; j < nu; j++) d2[r * nu + j] = o2[r * nu + j] - (j == lab[r] ? 1.0f : 0.0f);
            CHECK(memcmp(o1, o2, sizeof(float) * M * nu) == 0 && memcmp(d1, d2, sizeof(float) * M * nu) == 0,
                  "%s out_rows n=%d M=%d np=%d softmax=%d: not the bits of its passes", name, nu, M, np, sm);
            CHECK(o1[M * nu] == 777.0f && d1[M * nu] == 777.0f, "%s out_rows n=%d: wrote past M x n", name, nu);
            for (int i = 0; i < 3; i++) free(Pm[i]);
            free(b); free(o1); free(d1); free(o2); free(d2); free(lab);
        }
    /* the optimizer's step, every kind: the formulas of nn2_kupd_kind evaluated here in float,
     * each operation rounded, bit for bit (NaN where they give NaN), at ragged lengths, 3 rows
     * at strides with a gap; w holds zeros of both signs and a NaN (sgn = 0); the gaps and
     * what follows the last row untouched */
    for (int kind = 0; kind < 4; kind++)
        for (int reg = 0; reg < (kind == NN2_KUPD_MOMENTUM ? 3 : 1); reg++)
            for (int nest = 0; nest < (kind == NN2_KUPD_MOMENTUM ? 2 : 1); nest++)
                for (int a = 0; a < 8; a++) {
                    const int len = sz[a], rows = 3, ldw = len + 3, ldg = len + 5, nw = rows * ldw;
                    const nn2_kupd u = {(nn2_kupd_kind)kind, reg, nest, 0.9995f, 0.05f, 0.0005f,
                                        0.1f, 1e-4f, 0.9f, 0.5f};
                    float *w = rnd((size_t)nw + 1), *g = rnd((size_t)rows * ldg), *v = rnd((size_t)nw + 1);
                    float *we = malloc(sizeof(float) * (nw + 1)), *ve = malloc(sizeof(float) * (nw + 1));
                    for (int r = 0; r < rows; r++)
                        for (int i = 0; i < len; i++) {
                            const int q = r * ldw + i;
                            if (i % 7 == 3) w[q] = i % 2 ? -0.0f : 0.0f;
                            if (i == 5 && r == 1) w[q] = NAN;
                        }
                    w[nw] = v[nw] = 777.0f;
                    memcpy(we, w, sizeof(float) * (nw + 1));
                    memcpy(ve, v, sizeof(float) * (nw + 1));
                    for (int r = 0; r < rows; r++)
                        for (int i = 0; i < len; i++) {
                            const int q = r * ldw + i;
                            const float wi = w[q], gi = g[r * ldg + i], sg = wi > 0.0f ? 1.0f : wi < 0.0f ? -1.0f : 0.0f;
                            if (kind == NN2_KUPD_SGD) we[q] = wi - u.scale * gi;
                            if (kind == NN2_KUPD_SGD_L2) we[q] = u.decay * wi - u.scale * gi;
                            if (kind == NN2_KUPD_SGD_L1) we[q] = wi - u.l1 * sg - u.scale * gi;
                            if (kind == NN2_KUPD_MOMENTUM) {
                                float G = gi * u.inv_m;
                                if (reg == 1) G = G + u.lam_n * wi;
                                if (reg == 2) G = G + u.lam_n * sg;
                                ve[q] = u.mu * v[q] - u.eta * G;
                                we[q] = nest ? wi + u.mu * ve[q] - u.eta * G : wi + ve[q];
                            }
                        }
                    k->update(rows, len, w, ldw, g, ldg, v, &u);
                    int bad = 0;
                    for (int q = 0; q <= nw; q++) /* the gaps and w[nw], v[nw] included */
                        bad += !(memcmp(&w[q], &we[q], 4) == 0 || (isnan(w[q]) && isnan(we[q]))) ||
                               !(memcmp(&v[q], &ve[q], 4) == 0 || (isnan(v[q]) && isnan(ve[q])));
                    CHECK(bad == 0, "%s update kind %d reg %d nesterov %d n=%d: %d elements differ", name, kind, reg, nest, len, bad);
                    free(w); free(g); free(v); free(we); free(ve);
                }
    /* update_sel: rows [r0, r1) of 40, the listed ones (runs, single rows, none, all) with their
     * gradient rows, the others with +0 (their rows of g hold NaN: never read), bit for bit
     * the same as update over a copy of g with those rows zeroed; rows outside untouched */
    for (int kind = 0; kind < 4; kind++)
        for (int reg = 0; reg < (kind == NN2_KUPD_MOMENTUM ? 3 : 1); reg++)
            for (int nest = 0; nest < (kind == NN2_KUPD_MOMENTUM ? 2 : 1); nest++)
                for (int a = 0; a < 8; a++) {
                    const int len = sz[a], R = 40, ldw = len + 3, ldg = len + 5, r0 = a % 3, r1 = R - a % 4;
                    const int keep = a == 1 ? 0 : a == 2 ? 100 : 40, base = 2;
                    const nn2_kupd u = {(nn2_kupd_kind)kind, reg, nest, 0.9995f, 0.05f, 0.0005f,
                                        0.1f, 1e-4f, 0.9f, 0.5f};
                    float *w = rnd((size_t)R * ldw), *g = rnd((size_t)R * ldg), *v = rnd((size_t)R * ldw);
                    float *w2 = malloc(sizeof(float) * R * ldw), *v2 = malloc(sizeof(float) * R * ldw);
                    float *g2 = malloc(sizeof(float) * R * ldg);
                    int list[40], m = 0;
                    for (int q = 0; q < R * ldw; q += 5) w[q] = q % 2 ? -0.0f : 0.0f;
                    memcpy(w2, w, sizeof(float) * R * ldw);
                    memcpy(v2, v, sizeof(float) * R * ldw);
                    memcpy(g2, g, sizeof(float) * R * ldg);
                    for (int r = r0; r < r1; r++) {
                        if ((int)((frand() + 1.0f) * 50.0f) < keep || (keep && r % 9 < 3)) {
                            list[m++] = r + base;
                            continue;
                        }
                        for (int i = 0; i < len; i++) {
                            g[(size_t)r * ldg + i] = NAN;
                            g2[(size_t)r * ldg + i] = 0.0f;
                        }
                    }
                    k->update_sel(r0, r1, len, w, ldw, g, ldg, v, &u, list, m, base);
                    k->update(r1 - r0, len, w2 + (size_t)r0 * ldw, ldw, g2 + (size_t)r0 * ldg, ldg,
                              v2 + (size_t)r0 * ldw, &u);
                    int bad = 0;
                    for (int q = 0; q < R * ldw; q++)
                        bad += !(memcmp(&w[q], &w2[q], 4) == 0 || (isnan(w[q]) && isnan(w2[q]))) ||
                               !(memcmp(&v[q], &v2[q], 4) == 0 || (isnan(v[q]) && isnan(v2[q])));
                    CHECK(bad == 0, "%s update_sel kind %d reg %d nesterov %d n=%d rows [%d, %d), %d listed: %d elements differ",
                          name, kind, reg, nest, len, r0, r1, m, bad);
                    free(w); free(g); free(v); free(w2); free(v2); free(g2);
                }
    /* dropout: unit u's mask from nn2_hash64(key + u) (the stream src/rng.c defines), the
     * output a * mask, at ragged lengths, for rates 0, 0.2, 0.5 and 0.9, and for a threshold
     * equal to the middle unit's draw (kept: the compare is strict); keys whose counters wrap
     * around 2^64 within the row; a holds zeros of both signs, an infinity and a NaN; nothing
     * past n written */
    for (int a = 0; a < 8; a++)
        for (int pi = 0; pi < 5; pi++) {
            static const double rates[5] = {0.0, 0.2, 0.5, 0.9, 0.5};
            const int len = sz[a];
            const uint64_t key = pi == 3 ? ~(uint64_t)0 - 7 : 0x0123456789abcdefULL * (uint64_t)(a + 1);
            const uint32_t thr = pi == 4 ? (uint32_t)(nn2_hash64(key + (uint64_t)(len / 2)) >> 40)
                                         : (uint32_t)(rates[pi] * 16777216.0);
            const float keep = (float)(1.0 / (1.0 - rates[pi]));
            float *av = rnd((size_t)len), *m = malloc(sizeof(float) * (len + 1)), *o = malloc(sizeof(float) * (len + 1));
            av[0] = -0.0f;
            if (len > 2) av[2] = INFINITY;
            if (len > 3) av[3] = NAN;
            m[len] = o[len] = 777.0f;
            k->dropout(len, key, thr, keep, av, m, o);
            int bad = 0, dropped = 0;
            for (int u = 0; u < len; u++) {
                const float me = (nn2_hash64(key + (uint64_t)u) >> 40) < thr ? 0.0f : keep, oe = av[u] * me;
                dropped += me == 0.0f;
                bad += memcmp(&m[u], &me, 4) != 0 || !(memcmp(&o[u], &oe, 4) == 0 || (isnan(o[u]) && isnan(oe)));
            }
            CHECK(bad == 0, "%s dropout n=%d p=%.1f%s: %d units differ from the hash", name, len, rates[pi],
                  pi == 4 ? " (a draw at the threshold)" : "", bad);
            CHECK(m[len] == 777.0f && o[len] == 777.0f, "%s dropout n=%d: wrote past n", name, len);
            if (len == 1000 && pi < 4) /* the stream's rate: 1000 draws, binomial sd <= 16 */
                CHECK(fabs(dropped - 1000.0 * rates[pi]) < 80.0, "%s dropout p=%.1f: %d of 1000 dropped", name, rates[pi], dropped);
            free(av); free(m); free(o);
        }
    free(x); free(y);
    return test_end(name);
}
