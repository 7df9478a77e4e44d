/* layers.h: forward and backward passes of the dense layers over a block of samples (rows
 * [r0, r1) of a workspace), inverted dropout, the cost's output delta (BP1) and per-sample cost
 * values. Each function touches only its own rows (or, for gradients, its own rows of the
 * arena), so threads share a workspace without locks. */
#ifndef NN2_LAYERS_H
#define NN2_LAYERS_H

#include "net.h"
#include "nn2_kernels.h"

typedef struct nn2_ws {
    int rows;                         /* capacity in samples */
    float *a[NN2_MAX_LAYERS + 1];     /* a[0] (rows, sizes[0]) inputs; a[l] = f(z_l) (rows, sizes[l]) */
    float *dropped[NN2_MAX_LAYERS + 1]; /* hidden l with dropout: a[l] * mask[l], the next layer's input */
    float *mask[NN2_MAX_LAYERS + 1];  /* hidden l with dropout: 0 or 1/(1-p) (rows, sizes[l]) */
    float *d[NN2_MAX_LAYERS + 1];     /* d[l] (rows, sizes[l]) deltas dC/dz, l >= 1 */
    float *zL;                        /* (rows, sizes[L]) output weighted inputs, for cost values */
} nn2_ws;

/* The dropout stream of a training step: masks are a hash of (seed, epoch, sample, layer, unit),
 * so they do not depend on which thread runs which rows. NULL = no dropout (evaluation). */
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
/* a[0] rows [r0,r1) <- samples idx[base + r] (or base + r when idx is NULL). */
void nn2_load_inputs(const nn2_kernels *k, nn2_ws *ws, const nn2_dataset *data,
                     const uint32_t *idx, size_t base, int r0, int r1);
/* Every layer: z = x_l . WT_l + b_l, a = f(z) (softmax per row at the output); keeps zL.
 * With drop, hidden outputs with a rate get inverted dropout. */
void nn2_forward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, const nn2_drop *drop,
                      int r0, int r1);
/* BP1 then BP2: d[L] from the cost, then d[l] = (d[l+1] . W_l+1) * f'(z_l) (* mask). */
void nn2_backward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, const nn2_drop *drop,
                       const uint8_t *labels_of_rows, int r0, int r1);
/* BP3/BP4 summed over the m samples of the workspace, for the extended rows [k0,k1) of layer l
 * (rows 0..n_in-1 of WT, row n_in = the bias): g (same layout as the arena) <- sums.
 * With fuse (network2's plain L2 SGD), the weight rows are updated in place instead,
 * WT <- decay*WT - scale*sum, and only the bias gradient goes to g. */
typedef struct nn2_fuse {
    float decay, scale;
} nn2_fuse;
void nn2_grad_rows(const nn2_kernels *k, const nn2_net *net, const nn2_ws *ws, int training,
                   int m, int l, int k0, int k1, float *g_arena, const nn2_fuse *fuse);

/* costs.c: BP1 for M rows: d = dC/dz_L from the outputs a (M, n) and labels (M). */
void nn2_cost_delta(const nn2_kernels *k, const nn2_arch *arch, float *d, const float *a,
                    const uint8_t *labels, int M, int n);
/* Per-sample cost value (network2's cost.fn), in double, from the output z of row r. */
double nn2_cost_value(const nn2_arch *arch, const nn2_ws *ws, int n_out, int r, int label);
/* argmax of row r of the output, first maximum wins (numpy's argmax). */
int nn2_argmax_row(const nn2_ws *ws, int n_out, int r);

#endif
