/* kernels_impl.h: prototypes of every ISA's kernels, for kernels/dispatch.c and the tests.
 * Names state op, layout and ISA: nn2_k_<op>_<isa>. */
#ifndef NN2_KERNELS_IMPL_H
#define NN2_KERNELS_IMPL_H

#include <stddef.h>

#include "nn2_kernels.h"

#define NN2_DECLARE_KERNELS(isa)                                                                \
    void nn2_k_gemm_nn_##isa(int M, int N, int K, const float *A, int lda, const float *B,     \
                             int ldb, float alpha, const float *bias, float *C, int ldc);       \
    void nn2_k_gemm_nt_##isa(int M, int N, int K, const float *A, int lda, const float *B,     \
                             int ldb, float *C, int ldc);                                       \
    void nn2_k_gemm_tn_##isa(int M, int N, int K, const float *A, int lda, const float *B,     \
                             int ldb, float *C, int ldc, float alpha, float beta);              \
    void nn2_k_gemm_nn_sel_##isa(int M, int N, int nk, const float *A, int lda, const int *ksel, \
                                 int base, const float *B, int ldb, float alpha,                \
                                 const float *bias, float *C, int ldc);                         \
    void nn2_k_gemm_tn_sel_##isa(int M, int N, int K, const float *A, int lda, const float *B,  \
                                 int ldb, const int *csel, int base, float *C, int ldc,         \
                                 float alpha, float beta);                                      \
    int nn2_k_nz_cols_##isa(int M, const float *x, int ldx, int k0, int k1, int *ksel);        \
    void nn2_k_zero_gaps_##isa(int r0, int r1, int n, const int *rows, int M, int base, float *C, \
                               int ldc);                                                        \
    void nn2_k_u8_to_f32_##isa(int n, const uint8_t *src, float *dst);                         \
    void nn2_k_colsum_##isa(int M, int N, const float *A, int lda, float *out);                \
    void nn2_k_sigmoid_forward_##isa(int n, float *x);                                          \
    void nn2_k_sigmoid_backward_##isa(int n, float *d, const float *a);                         \
    void nn2_k_tanh_forward_##isa(int n, float *x);                                             \
    void nn2_k_tanh_backward_##isa(int n, float *d, const float *a);                            \
    void nn2_k_relu_forward_##isa(int n, float *x);                                             \
    void nn2_k_relu_backward_##isa(int n, float *d, const float *a);                            \
    void nn2_k_softmax_rows_##isa(int M, int n, float *x);                                    \
    void nn2_k_add_act_##isa(int n, float *x, const float *p, const float *q, int act);       \
    void nn2_k_bp2_small_##isa(int M, int n, int q, const float *Dn, int ldn, const float *W,  \
                               int ldw, const float *A, const float *mask, int ld, int act,    \
                               float *D, int ldd, float *bsum, float s);                      \
    void nn2_k_out_rows_##isa(int M, int n, int np, const float *const *P, int ldp,            \
                              const float *b, int softmax, const uint8_t *labels, float *out,  \
                              float *delta);                                                   \
    void nn2_k_update_##isa(int M, int n, float *w, int ldw, const float *g, int ldg, float *v, \
                            const nn2_kupd *u);                                                 \
    void nn2_k_update_sel_##isa(int r0, int r1, int n, float *w, int ldw, const float *g, int ldg, \
                                float *v, const nn2_kupd *u, const int *rows, int M, int base);  \
    void nn2_k_dropout_##isa(int n, uint64_t key, uint32_t threshold, float keep, const float *a, \
                             float *mask, float *out);

/* splitmix64's output after its state z has advanced by GAMMA: nn2_hash64(z), and the one
 * definition of the mixer (src/rng.c's streams and the dropout kernels' use it). */
#define NN2_K_MIX64_GAMMA 0x9e3779b97f4a7c15ULL
#define NN2_K_MIX64_M1 0xbf58476d1ce4e5b9ULL /* its two multipliers (the vector kernels' too) */
#define NN2_K_MIX64_M2 0x94d049bb133111ebULL
static inline uint64_t nn2_k_mix64(uint64_t z)
{
    z += NN2_K_MIX64_GAMMA;
    z = (z ^ (z >> 30)) * NN2_K_MIX64_M1;
    z = (z ^ (z >> 27)) * NN2_K_MIX64_M2;
    return z ^ (z >> 31);
}

/* update_sel's body in a SIMD update file, as NN2_UPDATE_SWITCH(u, NN2_UPDATE_SEL_ROWS) in a
 * function with update_sel's parameters and the file's coefficients c: rows [r0, r1) walked as
 * runs, the rows between rows[i] - base (a gradient of +0, g not read) and the listed ones
 * each through one call of the file's NN2_UPDATE_ROWS(kind, reg, nest, hasg, M, n, w, ldw, g,
 * ldg, v, &c). */
#define NN2_UPDATE_SEL_RUN(hasg, r, cnt)                                                        \
    NN2_UPDATE_ROWS(kind, reg, nest, hasg, cnt, n, w + (size_t)(r) * ldw, ldw,                  \
                    hasg ? g + (size_t)(r) * ldg : NULL, ldg, v ? v + (size_t)(r) * ldw : NULL, &c)
#define NN2_UPDATE_SEL_ROWS(kind_, reg_, nest_)                                                 \
    do {                                                                                        \
        const int kind = kind_, reg = reg_, nest = nest_;                                       \
        for (int i_ = 0, r_ = r0; r_ < r1;) {                                                   \
            const int end_ = i_ < M ? rows[i_] - base : r1;                                     \
            if (end_ > r_) NN2_UPDATE_SEL_RUN(0, r_, end_ - r_);                                \
            int e_ = end_;                                                                      \
            while (i_ < M && rows[i_] - base == e_) i_++, e_++;                                 \
            if (e_ > end_) NN2_UPDATE_SEL_RUN(1, end_, e_ - end_);                              \
            r_ = e_;                                                                            \
        }                                                                                       \
    } while (0)

/* zero_gaps' body in every kernel set, in a function with zero_gaps' parameters: ZERO_ROW(c)
 * for c, the start of each row r of C in [r0, r1) that rows (rows[i] - base, increasing, M of
 * them) does not list. */
#define NN2_ZERO_GAPS_WALK(ZERO_ROW)                                                             \
    for (int i_ = 0, r_ = r0; r_ < r1; i_++, r_++) { /* r_: past the listed row before i_'s */ \
        const int end_ = i_ < M ? rows[i_] - base : r1;                                         \
        for (; r_ < end_; r_++) ZERO_ROW(C + (size_t)r_ * ldc);                                 \
    }

/* The update kernels' dispatch: ROWS(kind, reg, nest) called with constants for the step u
 * asks for, so that each combination is compiled as a loop of its own. */
#define NN2_UPDATE_SWITCH(u, ROWS)                                                               \
    switch ((u)->kind) {                                                                         \
    case NN2_KUPD_SGD: ROWS(NN2_KUPD_SGD, 0, 0); break;                                          \
    case NN2_KUPD_SGD_L2: ROWS(NN2_KUPD_SGD_L2, 0, 0); break;                                    \
    case NN2_KUPD_SGD_L1: ROWS(NN2_KUPD_SGD_L1, 0, 0); break;                                    \
    case NN2_KUPD_MOMENTUM:                                                                      \
        if ((u)->nesterov) {                                                                     \
            if ((u)->reg == 1) ROWS(NN2_KUPD_MOMENTUM, 1, 1);                                    \
            else if ((u)->reg == 2) ROWS(NN2_KUPD_MOMENTUM, 2, 1);                               \
            else ROWS(NN2_KUPD_MOMENTUM, 0, 1);                                                  \
        } else {                                                                                 \
            if ((u)->reg == 1) ROWS(NN2_KUPD_MOMENTUM, 1, 0);                                    \
            else if ((u)->reg == 2) ROWS(NN2_KUPD_MOMENTUM, 2, 0);                               \
            else ROWS(NN2_KUPD_MOMENTUM, 0, 0);                                                  \
        }                                                                                        \
        break;                                                                                   \
    }

NN2_DECLARE_KERNELS(scalar)
/* out_rows in three passes with the given activations (kernels/scalar/act_scalar.c) */
void nn2_k_out_rows_with(int M, int n, int np, const float *const *P, int ldp, const float *b,
                         void (*softmax_rows)(int, int, float *), void (*sigmoid)(int, float *),
                         const uint8_t *labels, float *out, float *delta);
NN2_DECLARE_KERNELS(avx2)
NN2_DECLARE_KERNELS(avx512)

/* kernels/openblas/: only the products, and a set-up call */
void nn2_k_openblas_init(void);
void nn2_k_gemm_nn_openblas(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                            float alpha, const float *bias, float *C, int ldc);
void nn2_k_gemm_nt_openblas(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                            float *C, int ldc);
void nn2_k_gemm_tn_openblas(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                            float *C, int ldc, float alpha, float beta);

/* The six activation entry points of a SIMD kernel file, each one call of that file's own
 * act_pass / dact_pass (static there) with the activation's code. */
#define NN2_DEFINE_ACT_ENTRIES(isa)                                                                     \
    void nn2_k_sigmoid_forward_##isa(int n, float *x) { act_pass(NN2_KACT_SIGMOID, n, x); }             \
    void nn2_k_sigmoid_backward_##isa(int n, float *d, const float *a) { dact_pass(NN2_KACT_SIGMOID, n, d, a); } \
    void nn2_k_tanh_forward_##isa(int n, float *x) { act_pass(NN2_KACT_TANH, n, x); }                   \
    void nn2_k_tanh_backward_##isa(int n, float *d, const float *a) { dact_pass(NN2_KACT_TANH, n, d, a); } \
    void nn2_k_relu_forward_##isa(int n, float *x) { act_pass(NN2_KACT_RELU, n, x); }                   \
    void nn2_k_relu_backward_##isa(int n, float *d, const float *a) { dact_pass(NN2_KACT_RELU, n, d, a); }

#endif
