/* gemm_scalar.c: readable reference matrix products; the fallback and the test oracle.
 * Each element accumulates over k in increasing order starting from 0 (no FMA contraction:
 * the kernels/scalar files are built for the baseline ISA in ISO C mode). */
#include "kernels_impl.h"

/* gemm_nn over the steps k = 0..K-1, or over the inputs ksel[k] - base (gemm_nn_sel). */
static void gemm_nn_steps(int M, int N, int K, const float *A, int lda, const int *ksel, int base,
                          const float *B, int ldb, float alpha, const float *bias, float *C, int ldc)
{
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        for (int j = 0; j < N; j++) c[j] = 0.0f;
        for (int k = 0; k < K; k++) {
            const int kk = ksel ? ksel[k] - base : k;
            const float a = A[(size_t)i * lda + kk];
            const float *b = B + (size_t)kk * ldb;
            for (int j = 0; j < N; j++) c[j] += a * b[j];
        }
        if (alpha != 1.0f)
            for (int j = 0; j < N; j++) c[j] = alpha * c[j];
        if (bias)
            for (int j = 0; j < N; j++) c[j] += bias[j];
    }
}

void nn2_k_gemm_nn_scalar(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                          float alpha, const float *bias, float *C, int ldc)
{
    gemm_nn_steps(M, N, K, A, lda, NULL, 0, B, ldb, alpha, bias, C, ldc);
}

void nn2_k_gemm_nt_scalar(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                          float *C, int ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            const float *a = A + (size_t)i * lda, *b = B + (size_t)j * ldb;
            float acc = 0.0f;
            for (int k = 0; k < K; k++) acc += a[k] * b[k];
            C[(size_t)i * ldc + j] = acc;
        }
}

void nn2_k_gemm_tn_scalar(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                          float *C, int ldc, float alpha, float beta)
{
    float acc[256];
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        for (int j0 = 0; j0 < N; j0 += 256) { /* columns in chunks: the sums live in acc */
            const int nj = N - j0 < 256 ? N - j0 : 256;
            for (int j = 0; j < nj; j++) acc[j] = 0.0f;
            for (int k = 0; k < K; k++) {
                const float a = A[(size_t)k * lda + i];
                const float *b = B + (size_t)k * ldb + j0;
                for (int j = 0; j < nj; j++) acc[j] += a * b[j];
            }
            if (beta == 0.0f)
                for (int j = 0; j < nj; j++) c[j0 + j] = alpha * acc[j];
            else
                for (int j = 0; j < nj; j++) c[j0 + j] = beta * c[j0 + j] + alpha * acc[j];
        }
    }
}

void nn2_k_gemm_nn_sel_scalar(int M, int N, int nk, const float *A, int lda, const int *ksel, int base,
                              const float *B, int ldb, float alpha, const float *bias, float *C, int ldc)
{
    gemm_nn_steps(M, N, nk, A, lda, ksel, base, B, ldb, alpha, bias, C, ldc);
}

void nn2_k_gemm_tn_sel_scalar(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                              const int *csel, int base, float *C, int ldc, float alpha, float beta)
{
    for (int i = 0; i < M; i++) { /* A's column and C's row csel[i] - base */
        const int r = csel[i] - base;
        nn2_k_gemm_tn_scalar(1, N, K, A + r, lda, B, ldb, C + (size_t)r * ldc, ldc, alpha, beta);
    }
}

int nn2_k_nz_cols_scalar(int M, const float *x, int ldx, int k0, int k1, int *ksel)
{
    int n = 0;
    for (int k = k0; k < k1; k++) {
        int nz = 0;
        for (int r = 0; r < M && !nz; r++) nz = x[(size_t)r * ldx + k] != 0.0f;
        if (nz) ksel[n++] = k;
    }
    return n;
}

void nn2_k_zero_gaps_scalar(int r0, int r1, int n, const int *rows, int M, int base, float *C,
                            int ldc)
{
#define ZERO_ROW(c) for (int j = 0; j < n; j++) (c)[j] = 0.0f
    NN2_ZERO_GAPS_WALK(ZERO_ROW);
#undef ZERO_ROW
}

void nn2_k_u8_to_f32_scalar(int n, const uint8_t *src, float *dst)
{
    for (int i = 0; i < n; i++) dst[i] = (float)src[i] / 255.0f;
}

void nn2_k_colsum_scalar(int M, int N, const float *A, int lda, float *out)
{
    for (int j = 0; j < N; j++) out[j] = 0.0f;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) out[j] += A[(size_t)i * lda + j];
}
