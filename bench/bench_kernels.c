/* bench_kernels.c: Google Benchmark (through bench/gbench_shim.h) of nn2's kernels at MNIST
 * shapes, per ISA, a training step and a one-epoch run. Every kernel benchmark first checks
 * its result against the scalar kernel (within 1e-4 relative to sum |ab|; the _sel products
 * bit for bit against their own set's dense product) and reports an error instead of a time
 * if it differs. Counters: FLOP/s and bytes/s (operands read and written
 * once). Run: build-bench/bench/nn2-gbench [--benchmark_filter=REGEX]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbench_shim.h"
#include "nn2_kernels.h"
#include "train.h"

static float *rnd(size_t n, unsigned seed)
{
    float *p = nn2_alloc(n ? n : 1, sizeof(float));
    uint64_t s = 0x9E3779B97F4A7C15ULL * (seed + 1);
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        p[i] = (float)((double)(s >> 11) * 0x1.0p-53 - 0.5);
    }
    return p;
}

enum { NN, TN, NT };
typedef struct {
    nn2_isa isa;
    int op;
} gemm_case;

/* Product op at (M, N, K): C = A.B (forward), A^T.B (weight gradient), A.B^T (delta). */
static void run_gemm(const nn2_kernels *k, int op, int M, int N, int K, const float *A,
                     const float *B, float *C)
{
    switch (op) {
    case NN: k->gemm_nn(M, N, K, A, K, B, N, 1.0f, NULL, C, N); break;
    case TN: k->gemm_tn(M, N, K, A, M, B, N, C, N, 1.0f, 0.0f); break;
    case NT: k->gemm_nt(M, N, K, A, K, B, K, C, N); break;
    }
}

static void bm_gemm(nn2_bstate *st, void *arg)
{
    const gemm_case *c = arg;
    const nn2_kernels *k = nn2_kernels_for(c->isa), *ref = nn2_kernels_for(NN2_ISA_SCALAR);
    const int M = (int)nn2_bench_arg(st, 0), N = (int)nn2_bench_arg(st, 1), K = (int)nn2_bench_arg(st, 2);
    float *A = rnd((size_t)M * K, 1), *B = rnd((size_t)K * N, 2);
    float *C = rnd((size_t)M * N, 3), *R = rnd((size_t)M * N, 4);
    run_gemm(k, c->op, M, N, K, A, B, C);
    run_gemm(ref, c->op, M, N, K, A, B, R);
    double worst = 0;
    for (size_t i = 0; i < (size_t)M * N; i++) worst = fmax(worst, fabs(C[i] - R[i]) / (0.25 * K + 1e-30));
    if (worst > 1e-4) {
        nn2_bench_skip(st, "result differs from the scalar kernel");
    } else {
        while (nn2_bench_keep_running(st)) run_gemm(k, c->op, M, N, K, A, B, C);
        nn2_bench_rate(st, "FLOP/s", 2.0 * M * N * K);
        nn2_bench_rate(st, "bytes/s", 4.0 * ((double)M * K + (double)K * N + 2.0 * M * N));
    }
    nn2_free(A);
    nn2_free(B);
    nn2_free(C);
    nn2_free(R);
}

typedef struct {
    nn2_isa isa;
    int what; /* 0 sigmoid, 1 softmax rows of 10 */
} act_case;

static void bm_act(nn2_bstate *st, void *arg)
{
    const act_case *c = arg;
    const nn2_kernels *k = nn2_kernels_for(c->isa), *ref = nn2_kernels_for(NN2_ISA_SCALAR);
    const int n = (int)nn2_bench_arg(st, 0);
    float *x = rnd((size_t)n, 5), *y = nn2_alloc((size_t)n, sizeof(float)), *r = nn2_alloc((size_t)n, sizeof(float));
    for (int i = 0; i < n; i++) x[i] *= 16.0f;
    memcpy(y, x, sizeof(float) * n);
    memcpy(r, x, sizeof(float) * n);
    if (c->what == 0) {
        k->act_forward[NN2_KACT_SIGMOID](n, y);
        ref->act_forward[NN2_KACT_SIGMOID](n, r);
    } else {
        k->softmax_rows(n / 10, 10, y);
        ref->softmax_rows(n / 10, 10, r);
    }
    double worst = 0;
    for (int i = 0; i < n; i++) worst = fmax(worst, fabs(y[i] - r[i]));
    if (worst > 1e-6) {
        nn2_bench_skip(st, "result differs from the scalar kernel");
    } else {
        while (nn2_bench_keep_running(st)) {
            memcpy(y, x, sizeof(float) * n);
            if (c->what == 0)
                k->act_forward[NN2_KACT_SIGMOID](n, y);
            else
                k->softmax_rows(n / 10, 10, y);
        }
        nn2_bench_rate(st, "elements/s", n);
    }
    nn2_free(x);
    nn2_free(y);
    nn2_free(r);
}

/* Pixels to floats (p / 255, correctly rounded): n pixels of a cycling pattern, every value
 * first checked against the scalar kernel bit for bit. */
static void bm_pixels(nn2_bstate *st, void *arg)
{
    const nn2_kernels *k = nn2_kernels_for(*(const nn2_isa *)arg), *ref = nn2_kernels_for(NN2_ISA_SCALAR);
    const int n = (int)nn2_bench_arg(st, 0);
    uint8_t *px = malloc((size_t)n);
    float *y = nn2_alloc((size_t)n, sizeof(float)), *r = nn2_alloc((size_t)n, sizeof(float));
    if (!px || !y || !r) {
        nn2_bench_skip(st, "out of memory");
    } else {
        for (int i = 0; i < n; i++) px[i] = (uint8_t)(i * 167 + i / 256);
        k->u8_to_f32(n, px, y);
        ref->u8_to_f32(n, px, r);
        if (memcmp(y, r, sizeof(float) * (size_t)n) != 0) {
            nn2_bench_skip(st, "result differs from the scalar kernel");
        } else {
            while (nn2_bench_keep_running(st)) k->u8_to_f32(n, px, y);
            nn2_bench_rate(st, "pixels/s", n);
        }
    }
    free(px);
    nn2_free(y);
    nn2_free(r);
}

/* The optimizer's step (momentum with L2, the most streams: weights, gradient and velocities
 * read, weights and velocities written) over 784 rows of n weights at stride round16(n) (a
 * first layer's block), first checked bit for bit against the scalar kernel. */
static void bm_update(nn2_bstate *st, void *arg)
{
    const nn2_kernels *k = nn2_kernels_for(*(const nn2_isa *)arg), *ref = nn2_kernels_for(NN2_ISA_SCALAR);
    const int n = (int)nn2_bench_arg(st, 0), rows = 784, ld = (n + 15) / 16 * 16, total = rows * ld;
    float *w = rnd((size_t)total, 7), *g = rnd((size_t)total, 8), *v = rnd((size_t)total, 9);
    float *w2 = nn2_alloc((size_t)total, sizeof(float)), *v2 = nn2_alloc((size_t)total, sizeof(float));
    const nn2_kupd u = {NN2_KUPD_MOMENTUM, 1, 0, 0.9995f, 0.05f, 0.0005f, 0.1f, 1e-4f, 0.9f, 0.05f};
    memcpy(w2, w, sizeof(float) * (size_t)total);
    memcpy(v2, v, sizeof(float) * (size_t)total);
    k->update(rows, n, w, ld, g, ld, v, &u);
    ref->update(rows, n, w2, ld, g, ld, v2, &u);
    if (memcmp(w, w2, sizeof(float) * (size_t)total) != 0 || memcmp(v, v2, sizeof(float) * (size_t)total) != 0) {
        nn2_bench_skip(st, "result differs from the scalar kernel");
    } else {
        while (nn2_bench_keep_running(st)) k->update(rows, n, w, ld, g, ld, v, &u);
        nn2_bench_rate(st, "elements/s", (double)rows * n);
        nn2_bench_rate(st, "bytes/s", 20.0 * rows * n);
    }
    nn2_free(w);
    nn2_free(g);
    nn2_free(v);
    nn2_free(w2);
    nn2_free(v2);
}

/* Inverted dropout (p = 0.5) of a mini-batch of 10 rows of n hidden units, one kernel call a
 * row as nn2_dropout_forward makes them, first checked bit for bit against the scalar kernel. */
static void bm_dropout(nn2_bstate *st, void *arg)
{
    const nn2_kernels *k = nn2_kernels_for(*(const nn2_isa *)arg), *ref = nn2_kernels_for(NN2_ISA_SCALAR);
    const int n = (int)nn2_bench_arg(st, 0), rows = 10, total = rows * n;
    float *a = rnd((size_t)total, 11), *m = nn2_alloc((size_t)total, sizeof(float)), *o = nn2_alloc((size_t)total, sizeof(float));
    float *m2 = nn2_alloc((size_t)total, sizeof(float)), *o2 = nn2_alloc((size_t)total, sizeof(float));
    const uint32_t thr = 1u << 23;
    for (int r = 0; r < rows; r++) {
        k->dropout(n, 977u * (uint64_t)r, thr, 2.0f, a + r * n, m + r * n, o + r * n);
        ref->dropout(n, 977u * (uint64_t)r, thr, 2.0f, a + r * n, m2 + r * n, o2 + r * n);
    }
    if (memcmp(m, m2, sizeof(float) * (size_t)total) != 0 || memcmp(o, o2, sizeof(float) * (size_t)total) != 0) {
        nn2_bench_skip(st, "result differs from the scalar kernel");
    } else {
        uint64_t key = 0;
        while (nn2_bench_keep_running(st))
            for (int r = 0; r < rows; r++, key += 977u) k->dropout(n, key, thr, 2.0f, a + r * n, m + r * n, o + r * n);
        nn2_bench_rate(st, "units/s", (double)total);
    }
    nn2_free(a);
    nn2_free(m);
    nn2_free(o);
    nn2_free(m2);
    nn2_free(o2);
}

/* The sparse first layer's products (README "The sparse first layer") at (mini-batch M, units
 * N) over 784 inputs, of which the central 22 x 16 block of the 28 x 28 image is selected (352,
 * 45%, in runs of 16: about a mini-batch of 10 MNIST images' union of non-zero pixels).
 * SEL_FWD: gemm_nn_sel (C = x . W + b); SEL_GRAD: gemm_tn_sel with the lazy decay's add (W +=
 * x^T . delta on the selected rows). Each is first checked bit for bit against the same kernel
 * set's dense product over x with the other columns zero, which must give the same bits.
 * FLOP/s count the selected inputs' work. */
enum { SEL_FWD, SEL_GRAD };
typedef struct {
    nn2_isa isa;
    int what;
} sel_case;

/* Input i of the 28 x 28 image is in the selected central 22 x 16 block. */
static int sel_centre(int i) { return i / 28 >= 3 && i / 28 < 25 && i % 28 >= 6 && i % 28 < 22; }

static void run_sel(const nn2_kernels *k, int what, int dense, int M, int N, const float *x, const int *sel,
                    int nsel, const float *b, float *C, int ldc)
{
    const int K = 784;
    if (what == SEL_FWD && dense) k->gemm_nn(M, N, K, x, K, b, ldc, 1.0f, b + (size_t)K * ldc, C, ldc);
    if (what == SEL_FWD && !dense) k->gemm_nn_sel(M, N, nsel, x, K, sel, 0, b, ldc, 1.0f, b + (size_t)K * ldc, C, ldc);
    if (what == SEL_GRAD && dense) k->gemm_tn(K, N, M, x, K, b, ldc, C, ldc, 1.0f, 1.0f);
    if (what == SEL_GRAD && !dense) k->gemm_tn_sel(nsel, N, M, x, K, b, ldc, sel, 0, C, ldc, 1.0f, 1.0f);
}

static void bm_sel(nn2_bstate *st, void *arg)
{
    const sel_case *c = arg;
    const nn2_kernels *k = nn2_kernels_for(c->isa);
    const int M = (int)nn2_bench_arg(st, 0), N = (int)nn2_bench_arg(st, 1), K = 784, ld = (N + 15) / 16 * 16;
    int sel[784 + 16], nsel = 0;
    for (int i = 0; i < K; i++)
        if (sel_centre(i)) sel[nsel++] = i;
    float *x = rnd((size_t)M * K, 21), *b = rnd((size_t)(K + 1) * ld, 22);
    float *C = rnd((size_t)K * ld, 23), *R = nn2_alloc((size_t)K * ld, sizeof(float));
    for (int r = 0; r < M; r++) /* the columns not selected: zero in every row */
        for (int i = 0; i < K; i++)
            if (!sel_centre(i)) x[(size_t)r * K + i] = 0.0f;
    memcpy(R, C, sizeof(float) * (size_t)K * ld);
    if (!k->gemm_nn_sel || !k->gemm_tn_sel) {
        nn2_bench_skip(st, "no _sel products in this kernel set");
    } else {
        run_sel(k, c->what, 0, M, N, x, sel, nsel, b, C, ld);
        run_sel(k, c->what, 1, M, N, x, sel, nsel, b, R, ld);
        const size_t cmp = c->what == SEL_FWD ? (size_t)M * ld : (size_t)K * ld;
        if (memcmp(C, R, sizeof(float) * cmp) != 0) {
            nn2_bench_skip(st, "result differs from the dense product's bits");
        } else {
            while (nn2_bench_keep_running(st)) run_sel(k, c->what, 0, M, N, x, sel, nsel, b, C, ld);
            nn2_bench_rate(st, "FLOP/s", 2.0 * M * N * nsel);
        }
    }
    nn2_free(x);
    nn2_free(b);
    nn2_free(C);
    nn2_free(R);
}

/* One mini-batch step of B2 ([784,100,10], batch 10) or B4 ([784,800,10] ReLU softmax, batch
 * 128) on synthetic pixels, 1 thread, best ISA. */
static void bm_step(nn2_bstate *st, void *arg)
{
    (void)arg;
    const int hidden = (int)nn2_bench_arg(st, 0), m = (int)nn2_bench_arg(st, 1);
    const int sizes[] = {784, hidden, 10};
    nn2_arch a;
    nn2_arch_sigmoid(&a, sizes, 3, hidden >= 800 ? NN2_COST_LOG_LIKELIHOOD : NN2_COST_CROSS_ENTROPY);
    if (hidden >= 800) {
        a.act[0] = NN2_ACT_RELU;
        a.act[1] = NN2_ACT_SOFTMAX;
    }
    nn2_net *net;
    nn2_error err;
    if (nn2_net_create_arch(&net, &a, &err) != NN2_OK) {
        nn2_bench_skip(st, err.msg);
        return;
    }
    nn2_net_init(net, NN2_INIT_DEFAULT, 1);
    enum { N = 1024 };
    uint8_t *px = malloc((size_t)N * 784), lab[N];
    uint32_t idx[N];
    for (int i = 0; i < N * 784; i++) px[i] = (uint8_t)(i * 2654435761u >> 24);
    for (int i = 0; i < N; i++) {
        lab[i] = (uint8_t)(i % 10);
        idx[i] = (uint32_t)i;
    }
    const nn2_dataset d = {px, lab, N, 784, 10, 28, 28, 0};
    nn2_config cfg;
    nn2_config_default(&cfg);
    nn2_trainer tr;
    if (nn2_trainer_init(&tr, net, &cfg, &d, m, 1, &err) != NN2_OK) {
        nn2_bench_skip(st, err.msg);
    } else {
        size_t base = 0;
        while (nn2_bench_keep_running(st)) {
            nn2_train_batch(&tr, idx, base, m, 50000, 0.5, 0, 1);
            base = (base + (size_t)m) % (size_t)(N - m);
        }
        const double fl = (double)m * (4.0 * 784 * hidden + 6.0 * hidden * 10);
        nn2_bench_rate(st, "FLOP/s", fl);
        nn2_bench_rate(st, "samples/s", m);
        nn2_trainer_free(&tr);
    }
    free(px);
    nn2_net_free(net);
}

/* One epoch of B1 on real MNIST (data/mnist, or NN2_BENCH_DATA), all threads. */
static void bm_epoch(nn2_bstate *st, void *arg)
{
    (void)arg;
    const char *dir = getenv("NN2_BENCH_DATA") ? getenv("NN2_BENCH_DATA") : "data/mnist";
    nn2_mnist m;
    nn2_error err;
    if (nn2_mnist_load(&m, dir, 50000, 10000, &err) != NN2_OK) {
        nn2_bench_skip(st, "MNIST not found (data/mnist or NN2_BENCH_DATA)");
        return;
    }
    const int sizes[] = {784, 30, 10};
    nn2_net *net;
    nn2_net_create(&net, sizes, 3, NN2_COST_CROSS_ENTROPY, &err);
    nn2_net_init(net, NN2_INIT_DEFAULT, 1);
    nn2_config cfg;
    nn2_config_default(&cfg);
    cfg.epochs = 1;
    cfg.monitor_eval_accuracy = 0;
    while (nn2_bench_keep_running(st)) nn2_train(net, &cfg, &m.training, NULL, &err);
    nn2_bench_rate(st, "samples/s", 50000);
    nn2_net_free(net);
    nn2_mnist_free(&m);
}

int main(int argc, char **argv)
{
    static gemm_case gc[NN2_ISA_COUNT][3];
    static act_case ac[NN2_ISA_COUNT][2];
    static sel_case sc[NN2_ISA_COUNT][2];
    static nn2_isa pc[NN2_ISA_COUNT];
    /* forward: (batch, n_out, 784); weight gradient: (784, n_out, batch); delta: (batch, n_in, 10) */
    /* (10, 30, 392): B1's half of the inputs on 2 threads */
    static const long fwd[] = {10, 30, 784, 10, 30, 392, 10, 100, 784, 100, 100, 784, 128, 800, 784};
    static const long grad[] = {784, 30, 10, 784, 100, 10, 784, 100, 100, 784, 800, 128};
    static const long delta[] = {10, 30, 10, 10, 100, 10, 128, 800, 10};
    static const long acts[] = {1000, 8000};
    static const long pixels[] = {7840}; /* a mini-batch of 10 */
    static const long params[] = {100, 800}; /* units: [784,100]'s and [784,800]'s weights */
    static const long steps[] = {100, 10, 800, 128};
    static const long units[] = {100, 800}; /* dropout: hidden units of a row */
    static const long sels[] = {10, 30, 10, 40, 10, 100, 100, 100}; /* (mini-batch, units) */
    char name[96];
    for (int i = 0; i <= NN2_ISA_AVX512; i++) {
        if (!nn2_kernels_for((nn2_isa)i)) continue;
        const char *isa = nn2_isa_str((nn2_isa)i);
        for (int op = 0; op < 3; op++) gc[i][op] = (gemm_case){(nn2_isa)i, op};
        snprintf(name, sizeof name, "gemm_nn_forward/%s", isa);
        nn2_bench_register(name, bm_gemm, &gc[i][NN], fwd, 5, 3);
        snprintf(name, sizeof name, "gemm_tn_weight_gradient/%s", isa);
        nn2_bench_register(name, bm_gemm, &gc[i][TN], grad, 4, 3);
        snprintf(name, sizeof name, "gemm_nt_delta/%s", isa);
        nn2_bench_register(name, bm_gemm, &gc[i][NT], delta, 3, 3);
        ac[i][0] = (act_case){(nn2_isa)i, 0};
        ac[i][1] = (act_case){(nn2_isa)i, 1};
        snprintf(name, sizeof name, "sigmoid/%s", isa);
        nn2_bench_register(name, bm_act, &ac[i][0], acts, 2, 1);
        snprintf(name, sizeof name, "softmax_rows10/%s", isa);
        nn2_bench_register(name, bm_act, &ac[i][1], acts, 2, 1);
        pc[i] = (nn2_isa)i;
        snprintf(name, sizeof name, "pixels_to_float/%s", isa);
        nn2_bench_register(name, bm_pixels, &pc[i], pixels, 1, 1);
        snprintf(name, sizeof name, "update_momentum/%s", isa);
        nn2_bench_register(name, bm_update, &pc[i], params, 2, 1);
        snprintf(name, sizeof name, "dropout10/%s", isa);
        nn2_bench_register(name, bm_dropout, &pc[i], units, 2, 1);
        sc[i][SEL_FWD] = (sel_case){(nn2_isa)i, SEL_FWD};
        sc[i][SEL_GRAD] = (sel_case){(nn2_isa)i, SEL_GRAD};
        snprintf(name, sizeof name, "gemm_nn_sel_forward/%s", isa);
        nn2_bench_register(name, bm_sel, &sc[i][SEL_FWD], sels, 4, 2);
        snprintf(name, sizeof name, "gemm_tn_sel_gradient_add/%s", isa);
        nn2_bench_register(name, bm_sel, &sc[i][SEL_GRAD], sels, 4, 2);
    }
    nn2_bench_register("train_step_1thread", bm_step, NULL, steps, 2, 2);
    nn2_bench_register("epoch_B1", bm_epoch, NULL, NULL, 0, 0);
    return nn2_bench_main(argc, argv);
}
