/* layers.c: dense layers with sigmoid/tanh/ReLU/softmax, inverted dropout; forward and
 * backward side by side, over row blocks. */
#include <string.h>

#include "layers.h"
#include "rng.h"

static int has_dropout(const nn2_net *net, int l) /* l: hidden layer index 1..L-1 */
{
    return l >= 1 && l < net->n_layers && net->arch.dropout[l - 1] > 0.0;
}

nn2_status nn2_ws_create(nn2_ws *ws, const nn2_net *net, int rows, int train, nn2_error *err)
{
    memset(ws, 0, sizeof *ws);
    ws->rows = rows;
    const int L = net->n_layers;
    for (int l = 0; l <= L; l++) {
        const size_t n = (size_t)rows * net->sizes[l];
        ws->a[l] = nn2_alloc(n, sizeof(float));
        if (!ws->a[l]) goto oom;
        if (l > 0 && !(ws->d[l] = nn2_alloc(n, sizeof(float)))) goto oom;
        if (train && has_dropout(net, l) &&
            (!(ws->dropped[l] = nn2_alloc(n, sizeof(float))) || !(ws->mask[l] = nn2_alloc(n, sizeof(float)))))
            goto oom;
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
        nn2_free(ws->dropped[l]);
        nn2_free(ws->mask[l]);
    }
    nn2_free(ws->zL);
    memset(ws, 0, sizeof *ws);
}

uint8_t nn2_data_label(const nn2_dataset *data, size_t s)
{
    return data->labels[data->expand ? s / 5 : s];
}

void nn2_data_sample(const nn2_dataset *data, size_t s, float *x)
{
    const int dim = data->dim;
    if (!data->expand) {
        const uint8_t *px = data->images + s * (size_t)dim;
        for (int i = 0; i < dim; i++) x[i] = (float)px[i] / 255.0f; /* correctly rounded */
        return;
    }
    /* The book's expand_mnist.py: np.roll by one pixel, the wrapped row/column zeroed. */
    const uint8_t *px = data->images + (s / 5) * (size_t)dim;
    const int R = data->rows, C = data->cols, v = (int)(s % 5);
    const int dr = v == 1 ? 1 : v == 2 ? -1 : 0, dc = v == 3 ? 1 : v == 4 ? -1 : 0;
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) {
            const int sr = r - dr, sc = c - dc; /* source pixel */
            const int in = sr >= 0 && sr < R && sc >= 0 && sc < C;
            x[r * C + c] = in ? (float)px[sr * C + sc] / 255.0f : 0.0f;
        }
}

void nn2_load_inputs(const nn2_kernels *k, nn2_ws *ws, const nn2_dataset *data,
                     const uint32_t *idx, size_t base, int r0, int r1)
{
    for (int r = r0; r < r1; r++) {
        const size_t s = idx ? idx[base + (size_t)r] : base + (size_t)r;
        float *x = ws->a[0] + (size_t)r * data->dim;
        if (data->expand)
            nn2_data_sample(data, s, x);
        else
            k->u8_to_f32(data->dim, data->images + s * (size_t)data->dim, x);
    }
}

/* Input of weight layer l: the dropped copy of a[l] while training with dropout, else a[l]. */
static const float *layer_input(const nn2_net *net, const nn2_ws *ws, int training, int l)
{
    return training && has_dropout(net, l) ? ws->dropped[l] : ws->a[l];
}

/* Inverted dropout on hidden layer l: keep each unit with probability 1-p, scale kept ones by
 * 1/(1-p); expected activations are then those of the full network, which is what the notes'
 * "multiply the weights by 1-p after training" achieves at evaluation instead. */
static void dropout_rows(const nn2_net *net, nn2_ws *ws, const nn2_drop *drop, int l, int r0, int r1)
{
    const int n = net->sizes[l];
    const double p = net->arch.dropout[l - 1];
    const uint64_t threshold = (uint64_t)(p * 16777216.0); /* drop when 24-bit u < p * 2^24 */
    const float keep = (float)(1.0 / (1.0 - p));
    for (int r = r0; r < r1; r++) {
        const uint64_t sample = drop->idx[drop->base + (size_t)r];
        const uint64_t key = nn2_hash64(drop->seed ^ nn2_hash64(((uint64_t)drop->epoch << 40) ^
                                                                 ((uint64_t)l << 32) ^ sample));
        const float *a = ws->a[l] + (size_t)r * n;
        float *m = ws->mask[l] + (size_t)r * n, *o = ws->dropped[l] + (size_t)r * n;
        for (int u = 0; u < n; u++) {
            m[u] = (nn2_hash64(key + (uint64_t)u) >> 40) < threshold ? 0.0f : keep;
            o[u] = a[u] * m[u];
        }
    }
}

void nn2_forward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, const nn2_drop *drop,
                      int r0, int r1)
{
    const int M = r1 - r0, L = net->n_layers;
    if (M <= 0) return;
    for (int l = 0; l < L; l++) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        float *z = ws->a[l + 1] + (size_t)r0 * n_out;
        /* z = x . WT + b  (rows, n_out) */
        k->gemm_nn(M, n_out, n_in, layer_input(net, ws, drop != NULL, l) + (size_t)r0 * n_in, n_in,
                   nn2_layer_WT(net, l), n_out, nn2_layer_b(net, l), z, n_out);
        const nn2_act act = net->arch.act[l];
        if (l == L - 1) memcpy(ws->zL + (size_t)r0 * n_out, z, sizeof(float) * M * n_out);
        if (act == NN2_ACT_SOFTMAX)
            k->softmax_rows(M, n_out, z);
        else
            k->act_forward[act](M * n_out, z);
        if (drop && has_dropout(net, l + 1)) dropout_rows(net, ws, drop, l + 1, r0, r1);
    }
}

void nn2_backward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, const nn2_drop *drop,
                       const uint8_t *labels_of_rows, int r0, int r1)
{
    const int M = r1 - r0, L = net->n_layers, n_L = net->sizes[L];
    if (M <= 0) return;
    nn2_cost_delta(k, &net->arch, ws->d[L] + (size_t)r0 * n_L, ws->a[L] + (size_t)r0 * n_L,
                   labels_of_rows + r0, M, n_L); /* BP1 */
    /* BP2: delta_l = (delta_{l+1} . W_{l+1}) * f'(z_l), W = WT^T; with dropout the dropped
     * units pass no gradient and kept ones carry the 1/(1-p) scale: * mask. */
    for (int l = L - 1; l >= 1; l--) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        float *dprev = ws->d[l] + (size_t)r0 * n_in;
        k->gemm_nt(M, n_in, n_out, ws->d[l + 1] + (size_t)r0 * n_out, n_out,
                   nn2_layer_WT(net, l), n_out, dprev, n_in);
        if (drop && has_dropout(net, l)) {
            const float *m = ws->mask[l] + (size_t)r0 * n_in;
            for (size_t i = 0; i < (size_t)M * n_in; i++) dprev[i] *= m[i];
        }
        k->act_backward[net->arch.act[l - 1]](M * n_in, dprev, ws->a[l] + (size_t)r0 * n_in);
    }
}

void nn2_grad_rows(const nn2_kernels *k, const nn2_net *net, const nn2_ws *ws, int training,
                   int m, int l, int k0, int k1, float *g_arena, const nn2_fuse *fuse)
{
    const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
    const float *delta = ws->d[l + 1]; /* (m, n_out) */
    const int kw = k1 < n_in ? k1 : n_in;
    /* BP4: dC/dw_jk = sum over samples of x_k * delta_j, for rows k of WT. */
    if (kw > k0) {
        const float *x = layer_input(net, ws, training, l) + k0;
        if (fuse)
            k->gemm_tn(kw - k0, n_out, m, x, n_in, delta, n_out,
                       nn2_layer_WT(net, l) + (size_t)k0 * n_out, n_out, -fuse->scale, fuse->decay);
        else
            k->gemm_tn(kw - k0, n_out, m, x, n_in, delta, n_out,
                       nn2_arena_WT(net, g_arena, l) + (size_t)k0 * n_out, n_out, 1.0f, 0.0f);
    }
    /* BP3: dC/db_j = sum over samples of delta_j (the extended row n_in). */
    if (k1 > n_in) k->colsum(m, n_out, delta, n_out, nn2_arena_b(net, g_arena, l));
}

int nn2_argmax_row(const nn2_ws *ws, int n_out, int r)
{
    /* On z rather than a = f(z): same order, but no ties from float saturation. */
    const float *a = ws->zL + (size_t)r * n_out;
    int best = 0;
    for (int j = 1; j < n_out; j++)
        if (a[j] > a[best]) best = j;
    return best;
}
