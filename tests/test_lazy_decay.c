/* test_lazy_decay.c: the trainer's lazy decay (step.c: under plain L2 SGD the first layer's
 * weights are stored divided by s = d^steps during an epoch, folded back at its end and when s
 * falls below 2^-20):
 *  - an epoch through nn2_train_run (s carried from step to step, and with a strong decay
 *    folded inside the epoch) against the same mini-batches one at a time through
 *    nn2_train_batch (s folded after every step): the same weights up to float rounding, for
 *    networks with a transposed tail, a 2-slice layer, no tail, and two hidden layers;
 *  - the same bits for 1, 2 and 3 threads with the fold inside the epoch;
 *  - a step without it (decay factor below 1/2) that finds s != 1 folds first, the same bits as
 *    settling before it;
 *  - a run stopped in the middle of an epoch (s < 1 in the checkpoint) and resumed ends
 *    byte-identical to an uninterrupted one;
 *  - a version-1 checkpoint (before the scale was stored) still loads, with s = 1.
 * argv[1]: tests/data/checkpoint_v1, such a file. */
#include <math.h>
#include <unistd.h>

#include "checkpoint.h"
#include "net.h"
#include "test_nets.h"
#include "test_util.h"
#include "train.h"

enum { N = 203, DIM = 49 };

static nn2_net *make_net(const int *sizes, int n_sizes)
{
    nn2_arch a;
    nn2_arch_sigmoid(&a, sizes, n_sizes, NN2_COST_CROSS_ENTROPY);
    nn2_net *net;
    nn2_error err;
    NN2_ASSERT(nn2_net_create_arch(&net, &a, &err) == NN2_OK);
    nn2_net_init(net, NN2_INIT_DEFAULT, 42);
    return net;
}

static void set_config(nn2_config *c, double lambda, int batch)
{
    nn2_config_default(c);
    c->eta = 0.5;
    c->lambda = lambda;
    c->batch_size = batch;
    c->seed = 7;
    c->monitor_eval_accuracy = 0;
}

/* One epoch of mini-batches of m over the identity order: in one nn2_train_run (the scale
 * at the middle of the epoch in *mid_scale), or one nn2_train_batch per mini-batch. */
static nn2_net *epoch_run(const int *sizes, int n_sizes, double lambda, int m, int threads,
                          int per_step, const nn2_dataset *d, double *mid_scale)
{
    nn2_net *net = make_net(sizes, n_sizes);
    nn2_config c;
    set_config(&c, lambda, m);
    nn2_trainer tr;
    nn2_error err;
    NN2_ASSERT(nn2_trainer_init(&tr, net, &c, d, m, threads, &err) == NN2_OK);
    static uint32_t idx[N];
    for (int i = 0; i < N; i++) idx[i] = (uint32_t)i;
    const size_t nb = (N + (size_t)m - 1) / (size_t)m;
    if (per_step) {
        for (size_t b = 0; b < nb; b++) {
            const int mb = N - b * m < (size_t)m ? (int)(N - b * m) : m;
            nn2_train_batch(&tr, idx, b * m, mb, N, c.eta, 0, threads);
        }
    } else {
        nn2_train_run(&tr, &c, idx, N, m, 0, nb * 3 / 4, c.eta, 0, threads);
        if (mid_scale) *mid_scale = tr.wscale;
        nn2_train_run(&tr, &c, idx, N, m, nb * 3 / 4, nb, c.eta, 0, threads);
        CHECK(tr.wscale == 1.0, "the end of the epoch folds the scale (%g)", tr.wscale);
    }
    nn2_trainer_free(&tr);
    return net;
}

static volatile int stop_flag;
static void stop_now(int epoch, size_t done, size_t total, void *user)
{
    (void)epoch, (void)done, (void)total, (void)user;
    stop_flag = 1;
}

int main(int argc, char **argv)
{
    static uint8_t px[N * DIM], lab[N];
    for (int i = 0; i < N * DIM; i++) px[i] = (uint8_t)((i * 2654435761u) >> 24);
    for (int i = 0; i < N; i++) lab[i] = (uint8_t)(((unsigned)i * 7u + px[i * DIM]) % 10);
    const nn2_dataset d = {px, lab, N, DIM, 10, 7, 7, 0};

    /* lambda 5: d = 1 - 0.5*5/203 per step, s = 0.08 after an epoch of 203 steps; lambda 40.6:
     * d = 0.9, s < 2^-20 after 132 steps, folded inside the epoch */
    const int shapes[5][4] = {{DIM, 100, 10}, {DIM, 23, 10}, {DIM, 32, 10}, {DIM, 23, 17, 10}, {DIM, 10}};
    const int lens[5] = {3, 3, 3, 4, 2};
    const double lambdas[2] = {5.0, 0.1 * N / 0.5};
    for (int s = 0; s < 5; s++)
        for (int q = 0; q < 2; q++) {
            double mid = 0;
            nn2_net *a = epoch_run(shapes[s], lens[s], lambdas[q], 1, 1, 0, &d, &mid);
            nn2_net *b = epoch_run(shapes[s], lens[s], lambdas[q], 1, 1, 1, &d, NULL);
            const double rd = rel_diff(a, b);
            /* 152 of 203 steps: s = d^152 (about 0.15), or with the fold after step 132, 0.9^20
             * (0.12); never 0.9^152 (1e-7, below the fold's threshold) */
            const double want = q == 0 ? pow(1.0 - 0.5 * 5.0 / N, 152) : pow(0.9, 20);
            CHECK(fabs(mid - want) < 1e-3 * want, "hidden %d, lambda %g: s = %g at 3/4 of the epoch, not %g",
                  shapes[s][1], lambdas[q], mid, want);
            CHECK(rd < 2e-5, "hidden %d, lambda %g: lazy and per-step decay differ by %g (relative)",
                  shapes[s][1], lambdas[q], rd);
            printf("hidden %3d, %d layers, lambda %5.1f: s = %.4g at 3/4 of the epoch; lazy vs per-step "
                   "max relative difference %.3g\n", shapes[s][1], lens[s] - 1, lambdas[q], mid, rd);
            for (int t = 2; t <= 3; t++) {
                nn2_net *c = epoch_run(shapes[s], lens[s], lambdas[q], 3, t, 0, &d, NULL);
                nn2_net *r = epoch_run(shapes[s], lens[s], lambdas[q], 3, 1, 0, &d, NULL);
                CHECK(memcmp(c->params, r->params, sizeof(float) * r->n_params) == 0,
                      "hidden %d, lambda %g: %d threads differ from 1", shapes[s][1], lambdas[q], t);
                nn2_net_free(c);
                nn2_net_free(r);
            }
            nn2_net_free(a);
            nn2_net_free(b);
        }

    /* a step without the lazy decay (a decay factor below 1/2: eta 5, lambda 40.6, d = 0)
     * that finds s != 1 folds the weights first: the same bits as settling before it */
    for (int way = 0; way < 2; way++) {
        const int sz3[3] = {DIM, 100, 10};
        nn2_net *nets[2];
        for (int v = 0; v < 2; v++) {
            nets[v] = make_net(sz3, 3);
            nn2_config c;
            set_config(&c, 0.1 * N / 0.5, 3);
            nn2_trainer tr;
            nn2_error err;
            NN2_ASSERT(nn2_trainer_init(&tr, nets[v], &c, &d, 3, 2, &err) == NN2_OK);
            static uint32_t idx[N];
            for (int i = 0; i < N; i++) idx[i] = (uint32_t)i;
            nn2_train_run(&tr, &c, idx, N, 3, 0, 20, 0.5, 0, 1 + way);
            CHECK(tr.wscale < 1.0, "s after 20 steps: %g", tr.wscale);
            if (v) nn2_trainer_settle(&tr);
            nn2_train_run(&tr, &c, idx, N, 3, 20, 30, 5.0, 0, 1 + way);
            CHECK(tr.wscale == 1.0, "no lazy decay at d < 1/2 (s = %g)", tr.wscale);
            nn2_trainer_free(&tr);
        }
        CHECK(memcmp(nets[0]->params, nets[1]->params, sizeof(float) * nets[0]->n_params) == 0,
              "%d threads: folding at the first step without the lazy decay differs from settling",
              1 + way);
        nn2_net_free(nets[0]);
        nn2_net_free(nets[1]);
    }

    /* stopped in epoch 0 of 3 (the first progress report comes after mini-batch 64; the stop
     * after the next one), resumed on 2 threads; with a hidden layer and without one */
    char ck[64];
    snprintf(ck, sizeof ck, "/tmp/nn2-lazy-%d.ckpt", (int)getpid());
    nn2_ckpt saved;
    nn2_error err;
    for (int net_i = 0; net_i < 2; net_i++) {
        const int sz[3] = {DIM, net_i ? 10 : 100, 10};
        nn2_net *ref = make_net(sz, 3 - net_i), *run = make_net(sz, 3 - net_i);
        stop_flag = 0;
        nn2_config c;
        set_config(&c, 5.0, 1);
        c.epochs = 3;
        c.threads = 1;
        CHECK(nn2_train(ref, &c, &d, NULL, &err) == NN2_OK, "%s", err.msg);
        nn2_config cs = c;
        cs.checkpoint = ck;
        cs.stop = &stop_flag;
        cs.on_progress = stop_now;
        CHECK(nn2_train(run, &cs, &d, NULL, &err) == NN2_ERR_INTERRUPTED, "stopped: %s", err.msg);
        CHECK(nn2_ckpt_load(ck, &saved, &err) == NN2_OK, "%s", err.msg);
        CHECK(saved.epoch == 0 && saved.batch == 65, "stopped at epoch %d, batch %llu", saved.epoch,
              (unsigned long long)saved.batch);
        const double s65 = pow((double)(float)(1.0 - 0.5 * 5.0 / N), 65);
        CHECK(fabs(saved.wscale - s65) < 1e-6, "the checkpoint's scale %.9g, not %.9g", saved.wscale, s65);
        nn2_ckpt_free(&saved);
        nn2_config cr = c;
        cr.resume = ck;
        cr.threads = 2;
        CHECK(nn2_train(run, &cr, &d, NULL, &err) == NN2_OK, "resumed: %s", err.msg);
        CHECK(memcmp(run->params, ref->params, sizeof(float) * ref->n_params) == 0,
              "stopped mid-epoch and resumed: the weights differ from the uninterrupted run's");
        remove(ck);
        nn2_net_free(ref);
        nn2_net_free(run);
    }

    if (argc > 1) { /* a checkpoint written before the scale was stored */
        CHECK(nn2_ckpt_load(argv[1], &saved, &err) == NN2_OK, "version 1: %s", err.msg);
        CHECK(saved.wscale == 1.0, "version 1: scale %g", saved.wscale);
        nn2_ckpt_free(&saved);
    }
    return test_end("lazy_decay");
}
