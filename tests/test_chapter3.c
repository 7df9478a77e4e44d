/* test_chapter3.c: dropout statistics and exact inverted scaling; thread-independent masks;
 * the learning-rate schedules and early stopping driven by scripted accuracy sequences; early
 * stopping restores the best weights; --expand's shifted images for a known input; model files
 * with the new layer kinds round-trip and unknown ones are refused. */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "train.h"
#include "test_util.h"

static void test_dropout(void)
{
    const int sizes[] = {20, 400, 10};
    nn2_arch a;
    nn2_arch_sigmoid(&a, sizes, 3, NN2_COST_CROSS_ENTROPY);
    a.act[0] = NN2_ACT_RELU;
    a.dropout[0] = 0.3;
    nn2_net *net;
    nn2_error err;
    NN2_ASSERT(nn2_net_create_arch(&net, &a, &err) == NN2_OK);
    nn2_net_init(net, NN2_INIT_DEFAULT, 3);
    enum { R = 50 };
    static uint8_t px[R * 20], lab[R];
    for (int i = 0; i < R * 20; i++) px[i] = (uint8_t)(i * 11 % 256);
    const nn2_dataset d = {px, lab, R, 20, 10, 4, 5, 0};
    uint32_t idx[R], idx2[R];
    for (int i = 0; i < R; i++) {
        idx[i] = (uint32_t)(R - 1 - i);
        idx2[i] = (uint32_t)i;
    }
    nn2_config cfg;
    nn2_config_default(&cfg);
    cfg.seed = 1234;
    nn2_trainer tr, tr2;
    NN2_ASSERT(nn2_trainer_init(&tr, net, &cfg, &d, R, 1, &err) == NN2_OK);
    NN2_ASSERT(nn2_trainer_init(&tr2, net, &cfg, &d, R, 1, &err) == NN2_OK);
    nn2_train_grads(&tr, idx, R); /* epoch 0's masks, in training's own code path */
    const int ld = tr.ws.ld[1];
    /* kept fraction: 20000 Bernoulli(0.7) draws, 5 sigma = 0.016 */
    long kept = 0;
    int exact = 1;
    for (int r = 0; r < R; r++)
        for (int u = 0; u < 400; u++) {
            const size_t i = (size_t)r * ld + u;
            kept += tr.ws.mask[1][i] != 0.0f;
            if (tr.ws.mask[1][i] != 0.0f)
                exact &= tr.ws.mask[1][i] == (float)(1.0 / 0.7) && tr.ws.dropped[1][i] == tr.ws.a[1][i] * (float)(1.0 / 0.7);
            else
                exact &= tr.ws.dropped[1][i] == 0.0f;
        }
    const double frac = (double)kept / (R * 400);
    printf("dropout 0.3: kept fraction %.4f\n", frac);
    CHECK(fabs(frac - 0.7) < 5 * sqrt(0.21 / (R * 400)), "kept fraction %.4f", frac);
    CHECK(exact, "kept units scaled by exactly 1/(1-p), dropped ones zero");
    /* masks follow the sample, not its position in the mini-batch */
    nn2_train_grads(&tr2, idx2, R);
    CHECK(memcmp(tr.ws.mask[1], tr2.ws.mask[1] + (size_t)(R - 1) * ld, sizeof(float) * 400) == 0,
          "mask keyed by sample");
    /* units computed in slices by two threads (as nn2_train does) get the same masks */
    nn2_trainer tr3;
    NN2_ASSERT(nn2_trainer_init(&tr3, net, &cfg, &d, R, 2, &err) == NN2_OK);
    float *before = malloc(sizeof(float) * net->n_params);
    memcpy(before, net->params, sizeof(float) * net->n_params);
    nn2_train_batch(&tr3, idx, 0, R, R, 0.5, 0, 2);
    /* on 2 threads each thread keeps its group of units [lo, hi) in its own buffers, and the
     * last slice (400 units are 25 slices, the last one of 16 units, kept transposed) is cut
     * into two halves of 8 units, thread t computing half gh[t] with its masks */
    int same = tr3.gm < 400 && tr3.tt && tr3.tc[0] == 8 && tr3.tc[1] == 8;
    for (int r = 0; r < R; r++) {
        const size_t i = (size_t)r * ld;
        for (int t = 0; t < 2; t++) {
            const int lo = t ? tr3.ga : 0, hi = t ? tr3.gm : tr3.ga, h = tr3.gh[t], u0 = tr3.gm + (h ? tr3.tc[0] : 0);
            same &= memcmp(tr.ws.mask[1] + i + lo, tr3.priv[t].hmask + i + lo, sizeof(float) * (size_t)(hi - lo)) == 0;
            same &= memcmp(tr.ws.mask[1] + i + u0, tr3.priv[t].hmask + i + u0, sizeof(float) * (size_t)tr3.tc[h]) == 0;
        }
    }
    CHECK(same, "masks depend on threads");
    memcpy(net->params, before, sizeof(float) * net->n_params);
    free(before);
    nn2_trainer_free(&tr);
    nn2_trainer_free(&tr2);
    nn2_trainer_free(&tr3);
    nn2_net_free(net);
}

static void test_schedules(void)
{
    nn2_config c;
    nn2_config_default(&c);
    nn2_sched_state s;
    /* early stop after 3 epochs without improvement: best at epoch 2 (0-based), stop after 5 */
    c.early_stop = 3;
    nn2_sched_init(&s, &c);
    const long acc1[] = {90, 92, 95, 94, 95, 93, 99};
    int stop_at = -1, restore = 0;
    for (int e = 0; e < 7 && stop_at < 0; e++) {
        const int f = nn2_sched_after_epoch(&s, &c, e, acc1[e]);
        if (f & NN2_SCHED_STOP) {
            stop_at = e;
            restore = (f & NN2_SCHED_RESTORE_BEST) != 0;
        }
    }
    CHECK(stop_at == 5 && restore && s.best_epoch == 2 && s.best == 95, "early stop at %d, best %d", stop_at, s.best_epoch);

    /* plateau, patience 2: halve after 2 epochs without improvement, count restarts after a
     * halving or an improvement; stop once eta < eta0/128 */
    nn2_config_default(&c);
    c.schedule = NN2_SCHED_PLATEAU;
    c.patience = 2;
    c.eta = 1.0;
    nn2_sched_init(&s, &c);
    const long acc2[] = {50, 60, 60, 59, 61, 61, 61, 61, 61, 61, 61, 61, 61, 61, 61, 61, 61, 61, 61, 61, 61};
    double etas[21];
    stop_at = -1;
    for (int e = 0; e < 21 && stop_at < 0; e++) {
        const int f = nn2_sched_after_epoch(&s, &c, e, acc2[e]);
        etas[e] = s.eta;
        if (f & NN2_SCHED_STOP) stop_at = e;
    }
    /* halvings after epochs 3, 6, 8, 10, 12, 14, 16, 18 -> eta 1/256 < 1/128 at epoch 18 */
    CHECK(etas[2] == 1.0 && etas[3] == 0.5 && etas[4] == 0.5 && etas[5] == 0.5 && etas[6] == 0.25 &&
          etas[8] == 0.125 && etas[10] == 0.0625, "plateau halvings: %g %g %g %g %g %g", etas[2], etas[3],
          etas[5], etas[6], etas[8], etas[10]);
    CHECK(stop_at == 18 && etas[18] == 1.0 / 256, "plateau stops at %d (eta %g)", stop_at, stop_at >= 0 ? etas[stop_at] : -1);

    /* step: eta *= 0.1 every 3 epochs */
    nn2_config_default(&c);
    c.schedule = NN2_SCHED_STEP;
    c.step_epochs = 3;
    c.step_gamma = 0.1;
    c.eta = 2.0;
    nn2_sched_init(&s, &c);
    for (int e = 0; e < 7; e++) {
        nn2_sched_after_epoch(&s, &c, e, -1);
        etas[e] = s.eta;
    }
    CHECK(etas[1] == 2.0 && fabs(etas[2] - 0.2) < 1e-15 && fabs(etas[5] - 0.02) < 1e-15 && fabs(etas[6] - 0.02) < 1e-15,
          "step schedule %g %g %g", etas[1], etas[2], etas[5]);
}

/* Early stopping hands back the weights of the best epoch: snapshot them from the callback. */
typedef struct {
    nn2_net *net;
    float *snap[40];
    long acc[40];
    int n;
} snapshots;

static int snap_cb(const nn2_epoch_stats *st, void *user)
{
    snapshots *s = user;
    s->snap[s->n] = malloc(sizeof(float) * s->net->n_params);
    memcpy(s->snap[s->n], s->net->params, sizeof(float) * s->net->n_params);
    s->acc[s->n++] = st->eval_correct;
    return 0;
}

static void test_early_stop_restores(void)
{
    enum { N = 300 };
    static uint8_t px[N * 16], lab[N];
    for (int i = 0; i < N * 16; i++) px[i] = (uint8_t)((i * 2654435761u) >> 24);
    for (int i = 0; i < N; i++) lab[i] = (uint8_t)((px[i * 16] + px[i * 16 + 5]) % 10 < 5 ? i % 3 : i % 10);
    const nn2_dataset train = {px, lab, 200, 16, 10, 4, 4, 0};
    const nn2_dataset valid = {px + 200 * 16, lab + 200, 100, 16, 10, 4, 4, 0};
    const int sizes[] = {16, 20, 10};
    nn2_net *net;
    nn2_error err;
    NN2_ASSERT(nn2_net_create(&net, sizes, 3, NN2_COST_CROSS_ENTROPY, &err) == NN2_OK);
    nn2_net_init(net, NN2_INIT_DEFAULT, 5);
    snapshots s = {.net = net};
    nn2_config c;
    nn2_config_default(&c);
    c.epochs = 40;
    c.eta = 3.0; /* noisy on purpose: accuracy goes up and down */
    c.lambda = 0;
    c.early_stop = 4;
    c.on_epoch = snap_cb;
    c.user = &s;
    CHECK(nn2_train(net, &c, &train, &valid, &err) == NN2_OK, "%s", err.msg);
    int best = 0;
    for (int e = 1; e < s.n; e++)
        if (s.acc[e] > s.acc[best]) best = e;
    CHECK(s.n < 40 && s.n - 1 - best == 4, "stopped after epoch %d, best %d", s.n - 1, best);
    CHECK(best != s.n - 1 && memcmp(net->params, s.snap[best], sizeof(float) * net->n_params) == 0,
          "final weights are epoch %d's", best);
    nn2_eval_result r;
    NN2_ASSERT(nn2_evaluate(net, &valid, 0, 1, &r, &err) == NN2_OK);
    CHECK(r.correct == s.acc[best], "restored accuracy %ld == best %ld", r.correct, s.acc[best]);
    printf("early stop: %d epochs, best epoch %d (%ld / 100), restored\n", s.n, best, s.acc[best]);
    for (int e = 0; e < s.n; e++) free(s.snap[e]);
    nn2_net_free(net);
}

static void test_expand(void)
{
    /* 3x4 image with pixels 1..12, row-major */
    uint8_t px[12], lab[1] = {7};
    for (int i = 0; i < 12; i++) px[i] = (uint8_t)(i + 1);
    const nn2_dataset d = {px, lab, 1, 12, 10, 3, 4, 0};
    const nn2_dataset e = nn2_dataset_expanded(&d);
    CHECK(e.count == 5 && e.expand, "5 samples");
    static const uint8_t want[5][12] = {
        {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},  /* as is */
        {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8},     /* down one row, zeros on top */
        {5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0},  /* up one row */
        {0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11},   /* right one column */
        {2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12, 0},  /* left one column */
    };
    for (int v = 0; v < 5; v++) {
        float x[12];
        nn2_data_sample(&e, (size_t)v, x);
        int ok = 1;
        for (int i = 0; i < 12; i++) ok &= x[i] == (float)want[v][i] / 255.0f;
        CHECK(ok, "expanded variant %d", v);
        CHECK(nn2_data_label(&e, (size_t)v) == 7, "label of variant %d", v);
    }
    /* training loads expanded samples through the kernel set's conversion: the bits of
     * nn2_data_sample for every variant, every kernel set, on a 28x28 and a 1-row image */
    for (int shape = 0; shape < 2; shape++) {
        const int R = shape ? 1 : 28, C = shape ? 9 : 28, dim = R * C;
        uint8_t img[784 * 2], labs[2] = {3, 4};
        for (int i = 0; i < 2 * dim; i++) img[i] = (uint8_t)(i * 37 + 11);
        const nn2_dataset d2 = {img, labs, 2, dim, 10, R, C, 0};
        const nn2_dataset e2 = nn2_dataset_expanded(&d2);
        for (int isa = 0; isa < NN2_ISA_OPENBLAS; isa++) {
            const nn2_kernels *k = nn2_kernels_for((nn2_isa)isa);
            if (!k) continue;
            float got[10 * 784 + 1], ref[784];
            got[10 * dim] = 777.0f;
            nn2_load_rows(k, got, dim, &e2, NULL, 0, 0, 10);
            int bad = 0;
            for (int s = 0; s < 10; s++) {
                nn2_data_sample(&e2, (size_t)s, ref);
                bad += memcmp(got + s * dim, ref, sizeof(float) * dim) != 0;
            }
            CHECK(bad == 0 && got[10 * dim] == 777.0f, "%dx%d expanded through %s: %d samples differ", R, C,
                  nn2_isa_str((nn2_isa)isa), bad);
        }
    }
}

static void test_model_files(void)
{
    const int sizes[] = {5, 4, 3, 2};
    nn2_arch a;
    nn2_arch_sigmoid(&a, sizes, 4, NN2_COST_LOG_LIKELIHOOD);
    a.act[0] = NN2_ACT_RELU;
    a.act[1] = NN2_ACT_TANH;
    a.act[2] = NN2_ACT_SOFTMAX;
    a.dropout[0] = 0.25;
    nn2_net *net, *back;
    nn2_error err;
    NN2_ASSERT(nn2_net_create_arch(&net, &a, &err) == NN2_OK);
    nn2_net_init(net, NN2_INIT_HE, 9);
    char path[64]; /* per process: two builds' suites may run at once */
    snprintf(path, sizeof path, "/tmp/nn2-test-ch3-%d.json", (int)getpid());
    CHECK(nn2_net_save(net, path, &err) == NN2_OK, "%s", err.msg);
    CHECK(nn2_net_load(&back, path, &err) == NN2_OK, "%s", err.msg);
    if (back) {
        const nn2_arch *b = nn2_net_arch(back);
        CHECK(b->act[0] == NN2_ACT_RELU && b->act[1] == NN2_ACT_TANH && b->act[2] == NN2_ACT_SOFTMAX &&
              b->dropout[0] == 0.25 && b->dropout[1] == 0.0 && b->cost == NN2_COST_LOG_LIKELIHOOD, "arch round trip");
        CHECK(memcmp(back->params, net->params, sizeof(float) * net->n_params) == 0, "parameters round trip");
        nn2_net_free(back);
    }
    /* what is not understood is refused */
    struct { const char *text, *needle; } bad[] = {
        {"{\"sizes\":[2,1],\"weights\":[[[1,2]]],\"biases\":[[[0]]],\"cost\":\"CrossEntropyCost\",\"momentum\":1}", "unknown key"},
        {"{\"sizes\":[2,1],\"weights\":[[[1,2]]],\"biases\":[[[0]]],\"cost\":\"LogLikelihoodCost\",\"format\":\"nn2\",\"version\":2,\"output\":\"softmax\"}", "version 2"},
        {"{\"sizes\":[2,1],\"weights\":[[[1,2]]],\"biases\":[[[0]]],\"cost\":\"CrossEntropyCost\",\"output\":\"softmax\"}", "format"},
        {"{\"sizes\":[2,2,1],\"weights\":[[[1,2],[3,4]],[[1,2]]],\"biases\":[[[0],[0]],[[0]]],\"cost\":\"CrossEntropyCost\",\"format\":\"nn2\",\"version\":1,\"activations\":[\"swish\"]}", "activations[0]"},
        {"{\"sizes\":[2,1],\"weights\":[[[1,2]]],\"biases\":[[[0]]],\"cost\":\"LogLikelihoodCost\"}", "softmax"},
        {"{\"sizes\":[2,2,1],\"weights\":[[[1,2],[3,4]],[[1,2]]],\"biases\":[[[0],[0]],[[0]]],\"cost\":\"CrossEntropyCost\",\"format\":\"nn2\",\"version\":1,\"dropout\":[1.5]}", "dropout[0]"},
    };
    for (int i = 0; i < 6; i++) {
        FILE *f = fopen(path, "w");
        NN2_ASSERT(f && fputs(bad[i].text, f) >= 0 && fclose(f) == 0);
        nn2_net *x = NULL;
        const nn2_status st = nn2_net_load(&x, path, &err);
        CHECK(st == NN2_ERR_FORMAT && !x && strstr(err.msg, bad[i].needle) && strstr(err.msg, path),
              "bad model %d: status %d, message '%s'", i, st, err.msg);
    }
    remove(path);
    nn2_net_free(net);
}

int main(void)
{
    test_dropout();
    test_schedules();
    test_early_stop_restores();
    test_expand();
    test_model_files();
    return test_end("chapter3");
}
