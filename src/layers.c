/* layers.c: dense sigmoid layers, forward and backward side by side, over row blocks. */
#include <string.h>

#include "layers.h"

nn2_status nn2_ws_create(nn2_ws *ws, const nn2_net *net, int rows, nn2_error *err)
{
    memset(ws, 0, sizeof *ws);
    ws->rows = rows;
    const int L = net->n_layers;
    for (int l = 0; l <= L; l++) {
        ws->a[l] = nn2_alloc((size_t)rows * net->sizes[l], sizeof(float));
        if (l > 0) ws->d[l] = nn2_alloc((size_t)rows * net->sizes[l], sizeof(float));
        if (!ws->a[l] || (l > 0 && !ws->d[l])) goto oom;
    }
    ws->zL = nn2_alloc((size_t)rows * net->sizes[L], sizeof(float));
    if (ws->zL) return NN2_OK;
oom:
    nn2_ws_free(ws);
    return nn2_fail(err, NN2_ERR_NOMEM, "out of memory for a workspace of %d samples", rows);
}

void nn2_ws_free(nn2_ws *ws)
{
    for (int l = 0; l <= NN2_MAX_LAYERS; l++) {
        nn2_free(ws->a[l]);
        nn2_free(ws->d[l]);
    }
    nn2_free(ws->zL);
    memset(ws, 0, sizeof *ws);
}

void nn2_load_inputs(nn2_ws *ws, const nn2_dataset *data, const uint32_t *idx, size_t base,
                     int r0, int r1)
{
    const int dim = data->dim;
    for (int r = r0; r < r1; r++) {
        const size_t s = idx ? idx[base + (size_t)r] : base + (size_t)r;
        const uint8_t *px = data->images + s * (size_t)dim;
        float *x = ws->a[0] + (size_t)r * dim;
        for (int i = 0; i < dim; i++) x[i] = (float)px[i] / 255.0f; /* correctly rounded */
    }
}

void nn2_forward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, int r0, int r1)
{
    const int M = r1 - r0, L = net->n_layers;
    if (M <= 0) return;
    for (int l = 0; l < L; l++) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        float *z = ws->a[l + 1] + (size_t)r0 * n_out;
        /* z = a_prev . WT + b  (rows, n_out) */
        k->gemm_nn(M, n_out, n_in, ws->a[l] + (size_t)r0 * n_in, n_in, nn2_layer_WT(net, l),
                   n_out, nn2_layer_b(net, l), z, n_out);
        if (l == L - 1) memcpy(ws->zL + (size_t)r0 * n_out, z, sizeof(float) * M * n_out);
        k->act_forward[NN2_KACT_SIGMOID](M * n_out, z);
    }
}

void nn2_backward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws,
                       const uint8_t *labels_of_rows, int r0, int r1)
{
    const int M = r1 - r0, L = net->n_layers, n_L = net->sizes[L];
    if (M <= 0) return;
    nn2_cost_delta(k, net->cost, ws->d[L] + (size_t)r0 * n_L, ws->a[L] + (size_t)r0 * n_L,
                   labels_of_rows + r0, M, n_L); /* BP1 */
    /* BP2: delta_l = (delta_{l+1} . W_{l+1}) * sigmoid'(z_l), W = WT^T. */
    for (int l = L - 1; l >= 1; l--) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        float *dprev = ws->d[l] + (size_t)r0 * n_in;
        k->gemm_nt(M, n_in, n_out, ws->d[l + 1] + (size_t)r0 * n_out, n_out,
                   nn2_layer_WT(net, l), n_out, dprev, n_in);
        k->act_backward[NN2_KACT_SIGMOID](M * n_in, dprev, ws->a[l] + (size_t)r0 * n_in);
    }
}

void nn2_grad_rows(const nn2_kernels *k, const nn2_net *net, const nn2_ws *ws, int m, int l,
                   int k0, int k1, float *g_arena)
{
    const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
    const float *delta = ws->d[l + 1]; /* (m, n_out) */
    const int kw = k1 < n_in ? k1 : n_in;
    /* BP4: dC/dw_jk = sum over samples of a_k * delta_j, for rows k of WT. */
    if (kw > k0)
        k->gemm_tn(kw - k0, n_out, m, ws->a[l] + k0, n_in, delta, n_out,
                   nn2_arena_WT(net, g_arena, l) + (size_t)k0 * n_out, n_out);
    /* BP3: dC/db_j = sum over samples of delta_j (the extended row n_in). */
    if (k1 > n_in) k->colsum(m, n_out, delta, n_out, nn2_arena_b(net, g_arena, l));
}

