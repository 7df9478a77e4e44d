/* nn2_kernels.h: the kernel table (matrix products, activations) and the ISA enum.
 * Kernels are math on row-major float arrays: no allocation, no threads, no nn2_net.
 * Determinism contract, relied on by the thread-count-independent training loop: every output
 * element is computed by the same sequence of operations whatever M (the number of rows handed
 * to the call) and whatever tile the element falls in. So cutting rows between threads in any
 * way gives bit-identical results. Results may differ between ISAs. */
#ifndef NN2_KERNELS_H
#define NN2_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* NN2_ISA_OPENBLAS: the benchmark baseline, OpenBLAS sgemm for the products (built with
 * -DNN2_OPENBLAS=ON, chosen only through NN2_ISA=openblas). */
typedef enum nn2_isa {
    NN2_ISA_SCALAR,
    NN2_ISA_AVX2,
    NN2_ISA_AVX512,
    NN2_ISA_OPENBLAS,
    NN2_ISA_COUNT
} nn2_isa;

/* Element-wise activations; numbered as nn2_act in nn2.h. */
typedef enum nn2_kact { NN2_KACT_SIGMOID, NN2_KACT_TANH, NN2_KACT_RELU, NN2_KACT_COUNT } nn2_kact;

/* One optimizer step (kernel update): network2's SGD and chapter 3's variants, the formulas of
 * src/optim.c. */
typedef enum nn2_kupd_kind {
    NN2_KUPD_SGD,      /* w <- w - scale g (biases) */
    NN2_KUPD_SGD_L2,   /* w <- decay w - scale g */
    NN2_KUPD_SGD_L1,   /* w <- (w - l1 sgn(w)) - scale g */
    NN2_KUPD_MOMENTUM  /* G = g inv_m, + lam_n w (reg 1) or + lam_n sgn(w) (reg 2); v <- mu v - eta G;
                          w <- w + v, or with nesterov (w + mu v) - eta G */
} nn2_kupd_kind;
typedef struct nn2_kupd {
    nn2_kupd_kind kind;
    int reg;      /* momentum: 0 no regularization term (biases), 1 L2, 2 L1 */
    int nesterov; /* momentum */
    float decay, scale, l1;      /* plain SGD */
    float inv_m, lam_n, mu, eta; /* momentum */
} nn2_kupd;

typedef struct nn2_kernels {
    nn2_isa isa;
    const char *name;
    /* The sparse first layer's weight gradient under momentum and L1 (every row updated, the
     * rows of unselected inputs from zeros: gemm_tn_sel and zero_gaps) pays only where a row's
     * product has at least this many multiply-adds (mini-batch x units); below, gemm_tn over
     * every input is faster. Measured per set in training (README "Speed"). */
    int sel_grad_min;
    /* C (M,N) = alpha * (A (M,K) . B (K,N)) + bias (N) (bias may be NULL). Element (i,j)
     * accumulates A[i,k]*B[k,j] for k = 0..K-1 in order, is multiplied by alpha (rounded; no
     * multiply when alpha == 1), then adds bias[j]: the lazy decay's weighted inputs
     * s * (x . W) + b without a pass of their own. */
    void (*gemm_nn)(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                    float alpha, const float *bias, float *C, int ldc);
    /* C (M,N) = A (M,K) . B^T, B stored (N,K). */
    void (*gemm_nt)(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                    float *C, int ldc);
    /* C (M,N) <- beta*C + alpha*(A^T . B), A stored (K,M), B stored (K,N): element (i,j) sums
     * over k = 0..K-1 in order (K is the sample count when computing weight gradients), then
     * C = beta*C + alpha*sum with separate roundings; beta == 0 means C = alpha*sum (C is not
     * read). With beta = 1 - eta*lambda/n and alpha = -eta/m this is network2's L2 update,
     * applied while the gradient is in registers. */
    void (*gemm_tn)(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                    float *C, int ldc, float alpha, float beta);
    /* The products over selected inputs (the first layer over a mini-batch's non-zero inputs).
     * gemm_nn_sel: C (M,N) = alpha * (sum over j = 0..nk-1 in order of A[i, kk] * B[kk, :]) (+
     * bias), kk = ksel[j] - base, alpha and bias as in gemm_nn. gemm_tn_sel: for i = 0..M-1,
     * row r = csel[i] - base of C <- beta*C + alpha*(A^T.B)[r], as gemm_tn computes it (A
     * stored (K, .), column r). Each element is
     * computed as gemm_nn / gemm_tn compute it, so leaving out a k whose column of A is zero
     * gives the same bits (finite B: a +0 or -0 product changes no sum that starts at +0). NULL
     * where a kernel set has none (the OpenBLAS baseline): the callers then use every input. */
    void (*gemm_nn_sel)(int M, int N, int nk, const float *A, int lda, const int *ksel, int base,
                        const float *B, int ldb, float alpha, const float *bias, float *C, int ldc);
    void (*gemm_tn_sel)(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                        const int *csel, int base, float *C, int ldc, float alpha, float beta);
    /* The columns k in [k0, k1) of x (M rows at stride ldx) that are non-zero (neither +0 nor
     * -0) in some row, into ksel in increasing order (ksel: room for k1 - k0 + 16 entries; the
     * ones past the count may be written). Returns how many. */
    int (*nz_cols)(int M, const float *x, int ldx, int k0, int k1, int *ksel);
    /* The rows r in [r0, r1) of C (n columns each) that are none of rows[i] - base (i = 0..M-1,
     * increasing, each in [r0, r1)) set to +0: the gradient rows of inputs zero in the whole
     * mini-batch (gemm_tn over them gives +0), between gemm_tn_sel's rows. */
    void (*zero_gaps)(int r0, int r1, int n, const int *rows, int M, int base, float *C, int ldc);
    /* dst (n) = src / 255, correctly rounded: pixels to [0, 1]. */
    void (*u8_to_f32)(int n, const uint8_t *src, float *dst);
    /* out (N) = sum over rows i = 0..M-1 (in order) of A (M,N). */
    void (*colsum)(int M, int N, const float *A, int lda, float *out);
    /* x <- f(x), in place, n elements: sigmoid, tanh or ReLU. */
    void (*act_forward[NN2_KACT_COUNT])(int n, float *x);
    /* x <- f(p + q), n elements, act an nn2_kact: the bits of the sum then act_forward. */
    void (*add_act)(int n, float *x, const float *p, const float *q, int act);
    /* d <- d * f'(z), with f' expressed through the output a = f(z): sigmoid a(1-a),
     * tanh 1-a^2, ReLU (a > 0). */
    void (*act_backward[NN2_KACT_COUNT])(int n, float *d, const float *a);
    /* Each of M rows of n: x <- softmax(x), max-subtracted. */
    void (*softmax_rows)(int M, int n, float *x);
    /* BP2 towards a next layer of q <= 16 units (a classifier's outputs): D (M, n) = (Dn . W^T)
     * [* mask] * f'(A), with Dn (M, q) at stride ldn, W (n, q) at stride ldw (WT's rows: unit
     * u's weights to the next layer), A and mask (may be NULL) at stride ld, D at stride ldd
     * (ld, or n: a panel of the packed deltas that the first layer's gradient reads), act an
     * nn2_kact.
     * Element (r, u) is the sum over o = 0..q-1 in order from 0 (as gemm_nn over W^T), times
     * the mask, times f'(a) (as act_backward): the bits of those three steps. Then bsum (n; may
     * be NULL) = the column sums of D over r in order from 0 (as colsum), and D is stored times
     * s (one rounding; s = 1 stores it as is). NULL in the OpenBLAS table (its products are
     * OpenBLAS's). */
    void (*bp2_small)(int M, int n, int q, const float *Dn, int ldn, const float *W, int ldw,
                      const float *A, const float *mask, int ld, int act, float *D, int ldd,
                      float *bsum, float s);
    /* An output layer of n <= 16 units from np (1-3) partial sums P[i] (M rows at stride ldp):
     * z = ((P[0] + P[1]) + P[2]) + b, a = sigmoid(z), or softmax of the row if softmax, into
     * out (M, n), and delta = a - y (y: 1 at the row's label, else 0) into delta (M, n): the
     * bits of the sums in that order, the ISA's act_forward or softmax_rows, and a - y. */
    void (*out_rows)(int M, int n, int np, const float *const *P, int ldp, const float *b,
                     int softmax, const uint8_t *labels, float *out, float *delta);
    /* M rows of n parameters w at stride ldw (and their velocities v with momentum, at the
     * same stride; else v is not read) one step along their gradient g (stride ldg) summed over
     * the mini-batch, as u says. Each element by the operations written in nn2_kupd_kind, in
     * that order, each rounded (no FMA), sgn(0) = sgn(NaN) = 0: the same bits in every ISA.
     * Nothing between rows is read or written. */
    void (*update)(int M, int n, float *w, int ldw, const float *g, int ldg, float *v,
                   const nn2_kupd *u);
    /* update of rows r0..r1-1 (row r of w and v at r * ldw): the gradient's row r at g + r * ldg
     * for the rows r = rows[i] - base (i = 0..M-1, increasing, each in [r0, r1)), a gradient
     * of +0 for the others, not read (the same bits as update over rows of +0): the sparse
     * first layer's step under momentum and L1, where the inputs no sample has set have no
     * gradient to write. */
    void (*update_sel)(int r0, int r1, int n, float *w, int ldw, const float *g, int ldg, float *v,
                       const nn2_kupd *u, const int *rows, int M, int base);
    /* Inverted dropout of n units: h = splitmix64's output for the state key + u (a hash of
     * the counter, as nn2_hash64(key + u)); mask[u] = 0 when h >> 40 < threshold (a 24-bit
     * uniform below p 2^24), else keep (1/(1-p)); out[u] = a[u] * mask[u]. Integer hashing,
     * a compare and one multiply: the same bits in every ISA. */
    void (*dropout)(int n, uint64_t key, uint32_t threshold, float keep, const float *a,
                    float *mask, float *out);
} nn2_kernels;

/* The table in use: chosen once from the CPU's features, or forced by the environment
 * variable NN2_ISA=scalar|avx2|avx512 (an ISA the CPU lacks falls back with a warning). */
const nn2_kernels *nn2_kernels_get(void);
/* A specific table, or NULL when this build or CPU cannot run it. */
const nn2_kernels *nn2_kernels_for(nn2_isa isa);
const char *nn2_isa_str(nn2_isa isa);

#ifdef __cplusplus
}
#endif
#endif
