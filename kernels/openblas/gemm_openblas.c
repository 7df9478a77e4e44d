/* gemm_openblas.c: the OpenBLAS backend, a baseline for the benchmarks (-DNN2_OPENBLAS=ON,
 * NN2_ISA=openblas): the matrix products go to cblas_sgemm, everything else is unchanged.
 * OpenBLAS runs single-threaded inside nn2's own threads. It does not promise nn2's kernel
 * contract (results may depend on M), so the thread-count determinism is not claimed for it. */
#include <cblas.h>

#include "kernels_impl.h"

void nn2_k_openblas_init(void) { openblas_set_num_threads(1); }

void nn2_k_gemm_nn_openblas(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                            float alpha, const float *bias, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, 0.0f, C, ldc);
    if (bias)
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) C[(size_t)i * ldc + j] += bias[j];
}

void nn2_k_gemm_nt_openblas(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                            float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
}

void nn2_k_gemm_tn_openblas(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                            float *C, int ldc, float alpha, float beta)
{
    if (M <= 0 || N <= 0) return;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
