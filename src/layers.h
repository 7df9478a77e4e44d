/* layers.h: forward and backward passes of the dense sigmoid layers over a block of samples
 * (rows [r0, r1) of a workspace), the cost's output delta (BP1) and per-sample cost values.
 * Each function touches only its own rows (or, for gradients, its own rows of the arena), so
 * threads can share a workspace without locks. */
#ifndef NN2_LAYERS_H
#define NN2_LAYERS_H

#include "net.h"
#include "nn2_kernels.h"

typedef struct nn2_ws {
    int rows;                       /* capacity in samples */
    float *a[NN2_MAX_LAYERS + 1];   /* a[0] (rows, sizes[0]) inputs; a[l] (rows, sizes[l]) */
    float *d[NN2_MAX_LAYERS + 1];   /* d[l] (rows, sizes[l]) deltas dC/dz, l >= 1 */
    float *zL;                      /* (rows, sizes[L]) output weighted inputs, for cost values */
} nn2_ws;

nn2_status nn2_ws_create(nn2_ws *ws, const nn2_net *net, int rows, nn2_error *err);
void nn2_ws_free(nn2_ws *ws);

/* a[0] rows [r0,r1) <- images of samples idx[r] (or base + r when idx is NULL), scaled p/255. */
void nn2_load_inputs(nn2_ws *ws, const nn2_dataset *data, const uint32_t *idx, size_t base,
                     int r0, int r1);
/* a[l] = sigmoid(a[l-1] . WT_l + b_l) for every layer; keeps zL. */
void nn2_forward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, int r0, int r1);
/* BP1 then BP2: d[L] from the cost, then d[l] = (d[l+1] . W_l+1) * sigmoid'(z_l). */
void nn2_backward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws,
                       const uint8_t *labels_of_rows, int r0, int r1);
/* BP3/BP4 summed over the m samples of the workspace, for the extended rows [k0,k1) of layer l
 * (rows 0..n_in-1 of WT, row n_in = the bias): g (same layout as the arena) <- sums. */
void nn2_grad_rows(const nn2_kernels *k, const nn2_net *net, const nn2_ws *ws, int m, int l,
                   int k0, int k1, float *g_arena);

/* BP1 for M rows: d = dC/dz_L from the outputs a (M, n) and the labels (M). */
void nn2_cost_delta(const nn2_kernels *k, nn2_cost cost, float *d, const float *a,
                    const uint8_t *labels, int M, int n);
/* Per-sample cost value (network2's cost.fn), in double, from row r of the workspace. */
double nn2_cost_value(nn2_cost cost, const nn2_ws *ws, int n_out, int r, int label);
/* argmax of row r of the output, first maximum wins (numpy's argmax). */
int nn2_argmax_row(const nn2_ws *ws, int n_out, int r);

#endif
