/* layers.c: dense layers with sigmoid/tanh/ReLU/softmax and inverted dropout; forward and
 * backward side by side, over blocks of rows (samples) and slices of output units. */
#include <stdlib.h>
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
        ws->ld[l] = l == 0 || l == L ? net->sizes[l] : nn2_round16(net->sizes[l]);
        const size_t n = (size_t)rows * ws->ld[l];
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

void nn2_load_rows(const nn2_kernels *k, float *x, int ldx, const nn2_dataset *data,
                   const uint32_t *idx, size_t base, int r0, int r1)
{
    nn2_load_cols(k, x, ldx, data, idx, base, r0, r1, 0, (int)data->dim);
}

/* nn2_data_sample of an expanded set through the kernel's conversion (the same bits: both
 * give p/255 correctly rounded): a shift by a row is one run of C pixels, a shift by a
 * column R runs of C-1, plus the zeroed row or column. */
static void load_expanded(const nn2_kernels *k, const nn2_dataset *data, size_t s, float *x)
{
    const uint8_t *px = data->images + (s / 5) * (size_t)data->dim;
    const size_t R = (size_t)data->rows, C = (size_t)data->cols;
    const int v = (int)(s % 5);
    if (v == 0) {
        k->u8_to_f32(data->dim, px, x);
    } else if (v <= 2) { /* 1: down (row 0 zeroed), 2: up (row R-1 zeroed) */
        if (R > 1) k->u8_to_f32((int)((R - 1) * C), px + (v == 2 ? C : 0), x + (v == 1 ? C : 0));
        memset(x + (v == 1 ? 0 : (R - 1) * C), 0, sizeof(float) * C);
    } else { /* 3: right (column 0 zeroed), 4: left (column C-1 zeroed) */
        for (size_t r = 0; r < R; r++) {
            float *xr = x + r * C;
            if (C > 1) k->u8_to_f32((int)(C - 1), px + r * C + (v == 4), xr + (v == 3));
            xr[v == 3 ? 0 : C - 1] = 0.0f;
        }
    }
}

void nn2_load_cols(const nn2_kernels *k, float *x, int ldx, const nn2_dataset *data,
                   const uint32_t *idx, size_t base, int r0, int r1, int c0, int c1)
{
    if (c1 <= c0) return;
    for (int r = r0; r < r1; r++) {
        const size_t s = idx ? idx[base + (size_t)r] : base + (size_t)r;
        if (data->expand)
            load_expanded(k, data, s, x + (size_t)r * ldx);
        else
            k->u8_to_f32(c1 - c0, data->images + s * (size_t)data->dim + c0, x + (size_t)r * ldx + c0);
    }
}

void nn2_prefetch_rows(const nn2_dataset *data, const uint32_t *idx, size_t base, size_t n,
                       int c0, int c1)
{
    const size_t dim = (size_t)data->dim;
    if (c1 <= c0) return;
    for (size_t r = 0; r < n; r++) {
        const size_t s = idx[base + r];
        const uint8_t *px = data->images + (data->expand ? s / 5 : s) * dim;
        for (int off = c0; off < c1; off += 64) __builtin_prefetch(px + off, 0, 3);
        __builtin_prefetch(px + c1 - 1, 0, 3);
    }
}

void nn2_scale_bias(int M, int n, float *z, int ldz, float s, const float *b)
{
    for (int r = 0; r < M; r++) {
        float *zr = z + (size_t)r * ldz;
        if (b)
            for (int u = 0; u < n; u++) {
                const float t = s * zr[u]; /* rounded: no contraction into an FMA */
                zr[u] = t + b[u];
            }
        else
            for (int u = 0; u < n; u++) zr[u] *= s;
    }
}

void nn2_gemm_scaled(const nn2_kernels *k, int M, int n, int K, const float *x, int ldx,
                     const nn2_xsel *sel, const float *w, int ldw, float ws, const float *b, float *z,
                     int ldz)
{
    /* ws and the bias in the kernel's epilogue: the same bits as nn2_scale_bias after it */
    if (sel)
        k->gemm_nn_sel(M, n, sel->n, x, ldx, sel->idx, sel->base, w, ldw, ws, b, z, ldz);
    else
        k->gemm_nn(M, n, K, x, ldx, w, ldw, ws, b, z, ldz);
}

void nn2_dense_forward(const nn2_kernels *k, const nn2_net *net, int l, const float *wt, int ldw,
                       float ws, const float *x, int ldx, const nn2_xsel *sel, float *out, int ldo,
                       int M, int j0, int j1)
{
    const int n_in = net->layer[l].n_in, n = j1 - j0;
    if (M <= 0 || n <= 0) return;
    if (!wt) {
        ldw = net->layer[l].ldw;
        wt = nn2_layer_WT(net, l) + j0;
    }
    /* z = ws * (x . WT) + b  (M, j1-j0) */
    nn2_gemm_scaled(k, M, n, n_in, x, ldx, sel, wt, ldw, ws, wt + (size_t)n_in * ldw, out + j0, ldo);
    const nn2_act act = net->arch.act[l];
    if (act == NN2_ACT_SOFTMAX) {
        NN2_ASSERT(j0 == 0 && j1 == net->layer[l].n_out && ldo == n);
        k->softmax_rows(M, n, out);
    } else if (ldo == n) {
        k->act_forward[act](M * n, out);
    } else {
        for (int r = 0; r < M; r++) k->act_forward[act](n, out + (size_t)r * ldo + j0);
    }
}

/* Inverted dropout: keep each unit with probability 1-p, scale kept ones by 1/(1-p); expected
 * activations are then those of the full network, which is what the notes' "multiply the
 * weights by 1-p after training" achieves at evaluation instead. */
void nn2_dropout_forward(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, const nn2_drop *drop,
                         int l, int M, int j0, int j1)
{
    const int ld = ws->ld[l];
    const double p = net->arch.dropout[l - 1];
    const uint32_t threshold = (uint32_t)(p * 16777216.0); /* drop when 24-bit u < p * 2^24 */
    const float keep = (float)(1.0 / (1.0 - p));
    for (int r = 0; r < M; r++) {
        const uint64_t sample = drop->idx[drop->base + (size_t)r];
        const uint64_t key = nn2_hash64(drop->seed ^ nn2_hash64(((uint64_t)drop->epoch << 40) ^
                                                                 ((uint64_t)l << 32) ^ sample));
        const size_t o = (size_t)r * ld + (size_t)j0; /* unit u's hash: nn2_hash64(key + u) */
        k->dropout(j1 - j0, key + (uint64_t)j0, threshold, keep, ws->a[l] + o, ws->mask[l] + o,
                   ws->dropped[l] + o);
    }
}

void nn2_dense_backward_delta(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, int training,
                              int l, const float *wt, const float *dnext, int ldn, int M, int j0,
                              int j1, float *d, int ldd, float *scratch, float *bsum, float s)
{
    /* BP2: delta_l = (delta_{l+1} . W_l) * f'(z_l), W_l = WT_l^T; with dropout the dropped
     * units pass no gradient and kept ones carry the 1/(1-p) scale: * mask. */
    const int n = j1 - j0, ld = ws->ld[l], ldw = net->layer[l].ldw;
    if (M <= 0 || n <= 0) return;
    const int n_out = net->layer[l].n_out;
    const float *W = (wt ? wt : nn2_layer_WT(net, l)) + (size_t)j0 * ldw; /* rows j0..j1 of WT_l */
    const nn2_act act = net->arch.act[l - 1];
    const float *mask = training && has_dropout(net, l) ? ws->mask[l] + j0 : NULL;
    if (n_out <= 16 && k->bp2_small) { /* one pass, no transposed copy */
        k->bp2_small(M, n, n_out, dnext, ldn, W, ldw, ws->a[l] + j0, mask, ld, (int)act, d, ldd,
                     bsum, s);
        return;
    }
    if (n_out <= NN2_SMALL_OUT && scratch) {
        for (int u = 0; u < n; u++) /* scratch (n_out, n) = W_l[:, j0:j1] */
            for (int q = 0; q < n_out; q++) scratch[(size_t)q * n + u] = W[(size_t)u * ldw + q];
        k->gemm_nn(M, n, n_out, dnext, ldn, scratch, n, 1.0f, NULL, d, ldd);
    } else {
        k->gemm_nt(M, n, n_out, dnext, ldn, W, ldw, d, ldd);
    }
    for (int r = 0; r < M; r++) {
        float *dr = d + (size_t)r * ldd;
        if (training && has_dropout(net, l)) {
            const float *m = ws->mask[l] + (size_t)r * ld + j0;
            for (int u = 0; u < n; u++) dr[u] *= m[u];
        }
        k->act_backward[act](n, dr, ws->a[l] + (size_t)r * ld + j0);
    }
    if (bsum) k->colsum(M, n, d, ldd, bsum);
    if (s != 1.0f) nn2_scale_bias(M, n, d, ldd, s, NULL);
}

int nn2_sparse_on(const nn2_kernels *k)
{
    const char *e = getenv("NN2_SPARSE");
    return k->gemm_nn_sel && k->nz_cols && !(e && !strcmp(e, "0"));
}

/* Evaluation's first hidden layer runs over the non-zero inputs of each part of this many rows
 * (MNIST: 58% of the inputs for 32 images, 69% for 256); the same bits as over every input. */
#define SEL_PART 32

void nn2_forward_rows(const nn2_kernels *k, const nn2_net *net, nn2_ws *ws, int r0, int r1, int *sel)
{
    const int M = r1 - r0, L = net->n_layers;
    for (int l = 0; l < L; l++) {
        float *out = ws->a[l + 1] + (size_t)r0 * ws->ld[l + 1];
        if (l == 0 && L >= 2 && sel) {
            const int ldx = ws->ld[0], ldo = ws->ld[1];
            for (int q = r0; q < r1; q += SEL_PART) {
                const int m = r1 - q < SEL_PART ? r1 - q : SEL_PART;
                const float *x = ws->a[0] + (size_t)q * ldx;
                const nn2_xsel s = {sel, k->nz_cols(m, x, ldx, 0, net->sizes[0], sel), 0};
                nn2_dense_forward(k, net, 0, NULL, 0, 1.0f, x, ldx, &s, ws->a[1] + (size_t)q * ldo, ldo, m, 0,
                                  net->layer[0].n_out);
            }
            continue;
        }
        nn2_dense_forward(k, net, l, NULL, 0, 1.0f, ws->a[l] + (size_t)r0 * ws->ld[l], ws->ld[l], NULL, out,
                          ws->ld[l + 1], M, 0, net->layer[l].n_out);
        if (l == L - 1) { /* keep z for cost values: recompute it, the output layer is small */
            const int n = net->layer[l].n_out;
            k->gemm_nn(M, n, net->layer[l].n_in, ws->a[l] + (size_t)r0 * ws->ld[l], ws->ld[l],
                       nn2_layer_WT(net, l), net->layer[l].ldw, 1.0f, nn2_layer_b(net, l),
                       ws->zL + (size_t)r0 * n, n);
        }
    }
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
