/* layers.h: forward and backward passes of the dense layers over a block of samples (rows
 * [r0, r1) of a workspace), inverted dropout, the cost's output delta (BP1) and per-sample cost
 * values. Each function touches only its own rows (or, for gradients, its own rows of the
 * arena), so threads share a workspace without locks. */
#ifndef NN2_LAYERS_H
#define NN2_LAYERS_H

#include "net.h"
#include "nn2_kernels.h"

typedef struct nn2_ws {
    int rows;                           /* capacity in samples */
    int ld[NN2_MAX_LAYERS + 1];         /* row stride of layer l's buffers: sizes[0] for the
                                           input, sizes[L] for the output, hidden widths rounded
                                           up to 16 (whole cache lines per 16-unit slice) */
    float *a[NN2_MAX_LAYERS + 1];       /* a[0] (rows, ld0) inputs; a[l] = f(z_l) (rows, ld[l]) */
    float *dropped[NN2_MAX_LAYERS + 1]; /* hidden l with dropout: a[l] * mask[l], the next input */
    float *mask[NN2_MAX_LAYERS + 1];    /* hidden l with dropout: 0 or 1/(1-p) */
    float *d[NN2_MAX_LAYERS + 1];       /* d[l] (rows, ld[l]) deltas dC/dz, l >= 1 */
    float *zL;                          /* (rows, sizes[L]) output weighted inputs */
} nn2_ws;

/* The dropout stream of a training step: masks are a hash of (seed, epoch, sample, layer, unit),
 * so they do not depend on which thread runs which rows or units. NULL = no dropout. */
typedef struct nn2_drop {
    uint64_t seed;
    int epoch;
    const uint32_t *idx; /* sample index of row r: idx[base + r] */
    size_t base;
} nn2_drop;

/* train: also allocate dropout buffers for the hidden layers that have a rate. */
nn2_status nn2_ws_create(nn2_ws *ws, const nn2_net *net, int rows, int train, nn2_error *err);
void nn2_ws_free(nn2_ws *ws);

/* Pixel and label of sample s (expansion applied), scaled p/255 into x (dim floats). */
void nn2_data_sample(const nn2_dataset *data, size_t s, float *x);
uint8_t nn2_data_label(const nn2_dataset *data, size_t s);
/* x rows [r0,r1) (stride ldx) <- samples idx[base + r] (or base + r when idx is NULL). */
void nn2_load_rows(const nn2_kernels *k, float *x, int ldx, const nn2_dataset *data,
                   const uint32_t *idx, size_t base, int r0, int r1);
/* The same for the pixels [c0, c1) of each row only (whole rows with expansion). */
void nn2_load_cols(const nn2_kernels *k, float *x, int ldx, const nn2_dataset *data,
                   const uint32_t *idx, size_t base, int r0, int r1, int c0, int c1);

/* Ask the cache for the pixels [c0, c1) of samples idx[base + r], r in [0, n) (the next
 * mini-batch: they sit at random places in a 47 MB array and would otherwise cost a memory
 * latency each). */
void nn2_prefetch_rows(const nn2_dataset *data, const uint32_t *idx, size_t base, size_t n,
                       int c0, int c1);

/* The inputs a product runs over (a mini-batch's non-zero inputs, step.c): the n inputs idx[j],
 * column idx[j] - base of the product's x and row idx[j] - base of its weights. In the functions
 * that take one, NULL means every input. */
typedef struct nn2_xsel {
    const int *idx;
    int n, base;
} nn2_xsel;
/* Whether the first layer's products may run over a list of inputs: kernel set k has the
 * forward product and the list (not the OpenBLAS table), and NN2_SPARSE is not "0" (for
 * measurements and tests). */
int nn2_sparse_on(const nn2_kernels *k);
/* Layer l's forward product and activation for rows [0,M) and output columns [j0,j1):
 * z = x . WT_l[:, j0:j1] + b_l[j0:j1], a = f(z), written to out (stride ldo) at column j0.
 * Softmax layers need j0 = 0, j1 = n_out. wt: the weights to use instead of the network's
 * (NULL: the network's), n_in rows then the bias row at stride ldw, wt[0] being unit j0's.
 * ws: the weights' scale (the trainer's lazy decay, trainer.c): z = ws * (x . WT) + b, rounded
 * after the multiply and after the add, so that ws = 1 gives the bits of x . WT + b. */
void nn2_dense_forward(const nn2_kernels *k, const nn2_net *net, int l, const float *wt, int ldw,
                       float ws, const float *x, int ldx, const nn2_xsel *sel, float *out, int ldo,
                       int M, int j0, int j1);
/* z (M rows of n at stride ldz) <- s * z + b (b: n floats, or NULL: s * z). */
void nn2_scale_bias(int M, int n, float *z, int ldz, float s, const float *b);
/* z (M, n) at stride ldz = ws * (x . w) + b, x (M, K), w (K, n) (gemm_nn; b may be NULL): the
 * scaling and the bias in the kernel's epilogue, the same bits as nn2_scale_bias's two roundings
 * after the product (which the twenty-seventh session's code did, a pass of its own). */
void nn2_gemm_scaled(const nn2_kernels *k, int M, int n, int K, const float *x, int ldx,
                     const nn2_xsel *sel, const float *w, int ldw, float ws, const float *b, float *z,
                     int ldz);
/* Inverted dropout of hidden layer l (1..L-1), rows [0,M), units [j0,j1): mask and dropped. */
void nn2_dropout_forward(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, const nn2_drop *drop,
                         int l, int M, int j0, int j1);
/* BP2 for hidden layer l (1..L-1), units [j0,j1): d_l = (dnext . W_l) * mask * f'(z_l), with
 * dnext (M, n_out of layer l) at stride ldn, into d (M, j1-j0) at stride ldd: ws->d[l] + j0 at
 * ws->ld[l], or a panel of the first layer's deltas (step.c). Each element is computed alike
 * whatever the unit range and d's stride. When layer l has at most NN2_SMALL_OUT outputs
 * (the 10 of a classifier), its weight rows [j0,j1) are first transposed into scratch
 * (n_out * (j1-j0) floats) so that the product runs as gemm_nn, vectorised over the units,
 * instead of as short dot products. */
#define NN2_SMALL_OUT 64
/* bsum (j1-j0 floats, may be NULL): the column sums of d_l (BP3, as colsum), and d_l is then
 * stored times s (1: as is). */
void nn2_dense_backward_delta(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, int training,
                              int l, const float *wt, const float *dnext, int ldn, int M, int j0,
                              int j1, float *d, int ldd, float *scratch, float *bsum, float s);
/* Evaluation forward over rows [r0,r1) of ws (no dropout); keeps zL. sel: room for sizes[0] +
 * 16 entries, for the first hidden layer over each 32-row part's non-zero inputs (the same
 * bits; the caller passes one where nn2_sparse_on), or NULL for every input. */
void nn2_forward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, int r0, int r1, int *sel);

/* costs.c: BP1 for M rows: d = dC/dz_L from the outputs a (M, n) and labels (M). */
void nn2_cost_delta(const nn2_kernels *k, const nn2_arch *arch, float *d, const float *a,
                    const uint8_t *labels, int M, int n);
/* Per-sample cost value (network2's cost.fn), in double, from the output z of row r. */
double nn2_cost_value(const nn2_arch *arch, const nn2_ws *ws, int n_out, int r, int label);
/* argmax of row r of the output, first maximum wins (numpy's argmax). */
int nn2_argmax_row(const nn2_ws *ws, int n_out, int r);

#endif
