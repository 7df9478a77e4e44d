/* train.c: epochs, shuffling, mini-batch SGD, monitoring. One OpenMP region per epoch.
 *
 * How a step is parallel and still bit-identical for any thread count:
 *  1. samples: each thread loads, runs forward and back-propagates the deltas (BP1, BP2) of its
 *     share of the mini-batch's rows. Every sample's numbers are independent of which thread
 *     runs it (kernel contract in nn2_kernels.h).
 *  2. barrier; parameters: each thread owns a slice of the rows of every layer's WT (plus the
 *     bias row) and reduces the gradient over all m samples of the mini-batch in sample order
 *     (BP3, BP4), then applies the SGD update to that slice while it is in cache. The sum order
 *     is fixed by the data, never by the thread count, and no gradient buffer per thread has to
 *     be added up afterwards.
 *  3. barrier; the next step may read the new weights. */
#include <math.h>
#include <omp.h>
#include <string.h>
#include <time.h>

#include "optim.h"
#include "parallel.h"
#include "rng.h"
#include "train.h"

#define GRAD_CHUNK 64 /* rows of WT per gradient+update pass: keeps them in L1/L2 */

nn2_status nn2_trainer_init(nn2_trainer *tr, nn2_net *net, const nn2_config *cfg,
                            const nn2_dataset *data, int m_max, nn2_error *err)
{
    memset(tr, 0, sizeof *tr);
    tr->net = net;
    tr->cfg = cfg;
    tr->k = nn2_kernels_get();
    tr->data = data;
    tr->m_max = m_max;
    for (int l = 0; l + 1 < net->n_layers; l++) tr->dropout |= net->arch.dropout[l] > 0.0;
    tr->drop_seed = nn2_hash64(cfg->seed ^ 0x64726f706f7574ULL);
    nn2_status st = nn2_ws_create(&tr->ws, net, m_max, 1, err);
    if (st != NN2_OK) return st;
    tr->grads = nn2_alloc(net->n_params, sizeof(float));
    tr->labels = nn2_alloc((size_t)m_max, 1);
    if (cfg->momentum != 0.0) tr->vel = nn2_alloc(net->n_params, sizeof(float));
    if (!tr->grads || !tr->labels || (cfg->momentum != 0.0 && !tr->vel)) {
        nn2_trainer_free(tr);
        return nn2_fail(err, NN2_ERR_NOMEM, "out of memory for gradients");
    }
    return NN2_OK;
}

void nn2_trainer_free(nn2_trainer *tr)
{
    nn2_ws_free(&tr->ws);
    nn2_free(tr->grads);
    nn2_free(tr->vel);
    nn2_free(tr->labels);
    memset(tr, 0, sizeof *tr);
}

/* Phase 1 for this thread's rows: inputs, forward, deltas. */
static void step_rows(nn2_trainer *tr, const uint32_t *idx, size_t base, int epoch, int r0, int r1)
{
    const nn2_drop drop = {tr->drop_seed, epoch, idx, base};
    const nn2_drop *dp = tr->dropout ? &drop : NULL;
    nn2_load_inputs(tr->k, &tr->ws, tr->data, idx, base, r0, r1);
    for (int r = r0; r < r1; r++) tr->labels[r] = nn2_data_label(tr->data, idx[base + (size_t)r]);
    nn2_forward_rows(tr->k, tr->net, &tr->ws, dp, r0, r1);
    nn2_backward_rows(tr->k, tr->net, &tr->ws, dp, tr->labels, r0, r1);
}

/* Phase 2 for this thread's slice of parameters: gradient and (if o) update. */
static void step_params(nn2_trainer *tr, int mb, int t, int nt, const nn2_optim *o)
{
    nn2_net *net = tr->net;
    /* network2's plain L2 step is fused into the gradient kernel's epilogue */
    const int fused = o && !o->momentum && o->reg == NN2_REG_L2;
    const nn2_fuse fuse = {o ? o->decay : 0.0f, o ? o->scale : 0.0f};
    for (int l = 0; l < net->n_layers; l++) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        int k0, k1;
        nn2_split(n_in + 1, nt, t, &k0, &k1); /* extended rows: WT rows, then the bias row */
        for (int c0 = k0; c0 < k1; c0 += GRAD_CHUNK) {
            const int c1 = k1 - c0 < GRAD_CHUNK ? k1 : c0 + GRAD_CHUNK;
            nn2_grad_rows(tr->k, net, &tr->ws, tr->dropout, mb, l, c0, c1, tr->grads,
                          fused ? &fuse : NULL);
            if (!o) continue;
            const int cw = c1 < n_in ? c1 : n_in;
            if (cw > c0 && !fused) {
                const size_t off = (size_t)c0 * n_out;
                nn2_optim_update(o, nn2_layer_WT(net, l) + off, nn2_arena_WT(net, tr->grads, l) + off,
                                 tr->vel ? nn2_arena_WT(net, tr->vel, l) + off : NULL,
                                 (size_t)(cw - c0) * n_out, 0);
            }
            if (c1 > n_in)
                nn2_optim_update(o, nn2_layer_b(net, l), nn2_arena_b(net, tr->grads, l),
                                 tr->vel ? nn2_arena_b(net, tr->vel, l) : NULL, (size_t)n_out, 1);
        }
    }
}

/* The whole step, called by every thread of the team. */
static void step_team(nn2_trainer *tr, const uint32_t *idx, size_t base, int mb, int epoch,
                      const nn2_optim *o)
{
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    int r0, r1;
    nn2_split(mb, nt, t, &r0, &r1);
    step_rows(tr, idx, base, epoch, r0, r1);
#pragma omp barrier
    step_params(tr, mb, t, nt, o);
#pragma omp barrier
}

void nn2_train_batch(nn2_trainer *tr, const uint32_t *idx, size_t base, int mb, size_t n,
                     double eta, int epoch, int threads)
{
    nn2_optim o;
    nn2_optim_setup(&o, tr->cfg, eta, n, mb);
#pragma omp parallel num_threads(nn2_threads_resolve(threads))
    step_team(tr, idx, base, mb, epoch, &o);
}

void nn2_train_grads(nn2_trainer *tr, const uint32_t *idx, int m)
{
    step_rows(tr, idx, 0, 0, 0, m);
    step_params(tr, m, 0, 1, NULL);
}

void nn2_config_default(nn2_config *c)
{
    memset(c, 0, sizeof *c);
    c->epochs = 30;
    c->batch_size = 10;
    c->eta = 0.5;
    c->lambda = 5.0;
    c->reg = NN2_REG_L2;
    c->schedule = NN2_SCHED_CONSTANT;
    c->step_epochs = 10;
    c->step_gamma = 0.5;
    c->patience = 10;
    c->seed = 1;
    c->threads = 0;
    c->monitor_eval_accuracy = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static nn2_status check_finite(const nn2_net *net, int epoch, nn2_error *err)
{
    for (int l = 0; l < net->n_layers; l++) {
        const float *w = nn2_layer_WT(net, l);
        const size_t n = (size_t)(net->layer[l].n_in + 1) * net->layer[l].n_out;
        for (size_t i = 0; i < n; i++)
            if (!isfinite(w[i]))
                return nn2_fail(err, NN2_ERR_NUMERIC,
                                "training diverged: non-finite %s in layer %d after epoch %d "
                                "(try a smaller --eta)",
                                i < n - (size_t)net->layer[l].n_out ? "weight" : "bias", l + 1,
                                epoch);
    }
    return NN2_OK;
}

static nn2_status check_config(const nn2_net *net, const nn2_config *c, const nn2_dataset *train,
                               const nn2_dataset *eval, nn2_error *err)
{
    if (c->epochs < 0) return nn2_fail(err, NN2_ERR_ARG, "epochs: %d is negative", c->epochs);
    if (c->batch_size < 1 || c->batch_size > (1 << 20))
        return nn2_fail(err, NN2_ERR_ARG, "batch size: %d is not in 1..%d", c->batch_size,
                        1 << 20);
    if (!isfinite(c->eta) || c->eta <= 0)
        return nn2_fail(err, NN2_ERR_ARG, "eta: %g must be a positive number", c->eta);
    if (!isfinite(c->lambda) || c->lambda < 0)
        return nn2_fail(err, NN2_ERR_ARG, "lambda: %g must be >= 0", c->lambda);
    if (c->reg < 0 || c->reg >= NN2_REG_COUNT)
        return nn2_fail(err, NN2_ERR_ARG, "regularization: unknown kind %d", (int)c->reg);
    if (!(c->momentum >= 0 && c->momentum < 1))
        return nn2_fail(err, NN2_ERR_ARG, "momentum: %g is not in [0, 1)", c->momentum);
    if (c->schedule < 0 || c->schedule >= NN2_SCHED_COUNT)
        return nn2_fail(err, NN2_ERR_ARG, "schedule: unknown kind %d", (int)c->schedule);
    if (c->schedule == NN2_SCHED_STEP && (c->step_epochs < 1 || !(c->step_gamma > 0 && c->step_gamma <= 1)))
        return nn2_fail(err, NN2_ERR_ARG, "step schedule: needs step epochs >= 1 and 0 < gamma <= 1");
    if (c->schedule == NN2_SCHED_PLATEAU && c->patience < 1)
        return nn2_fail(err, NN2_ERR_ARG, "plateau schedule: patience must be >= 1");
    if (c->early_stop < 0) return nn2_fail(err, NN2_ERR_ARG, "early stop: %d is negative", c->early_stop);
    if ((c->early_stop > 0 || c->schedule == NN2_SCHED_PLATEAU) && !eval)
        return nn2_fail(err, NN2_ERR_ARG,
                        "early stopping and the plateau schedule need evaluation data");
    if (c->threads < 0 || c->threads > 4096)
        return nn2_fail(err, NN2_ERR_ARG, "threads: %d is not in 0..4096", c->threads);
    nn2_status st = nn2_check_dataset(net, train, "training data", err);
    if (st == NN2_OK && eval) st = nn2_check_dataset(net, eval, "evaluation data", err);
    if (st == NN2_OK && train->count > UINT32_MAX)
        st = nn2_fail(err, NN2_ERR_ARG, "training data: more than 2^32 samples");
    return st;
}

nn2_status nn2_train(nn2_net *net, const nn2_config *cfg, const nn2_dataset *train,
                     const nn2_dataset *eval, nn2_error *err)
{
    nn2_status st = check_config(net, cfg, train, eval, err);
    if (st != NN2_OK) return st;
    const size_t n = train->count;
    const int m = (size_t)cfg->batch_size < n ? cfg->batch_size : (int)n;
    const int T = nn2_threads_resolve(cfg->threads);
    const int need_acc = cfg->early_stop > 0 || cfg->schedule == NN2_SCHED_PLATEAU;
    nn2_trainer tr;
    if ((st = nn2_trainer_init(&tr, net, cfg, train, m, err)) != NN2_OK) return st;
    uint32_t *perm = malloc(sizeof(uint32_t) * n);
    float *best = cfg->early_stop > 0 ? nn2_alloc(net->n_params, sizeof(float)) : NULL;
    if (!perm || (cfg->early_stop > 0 && !best)) {
        free(perm);
        nn2_trainer_free(&tr);
        return nn2_fail(err, NN2_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
    nn2_rng shuf; /* the shuffling stream: its own seed, derived from the run's seed */
    nn2_rng_seed(&shuf, nn2_hash64(cfg->seed ^ 0x73687566666c65ULL));
    const size_t n_batches = (n + (size_t)m - 1) / (size_t)m;
    nn2_sched_state sched;
    nn2_sched_init(&sched, cfg);

    for (int epoch = 0; epoch < cfg->epochs && st == NN2_OK; epoch++) {
        nn2_rng_shuffle(&shuf, perm, n); /* in place, every epoch, like random.shuffle */
        const double eta = sched.eta, t0 = now_s();
#pragma omp parallel num_threads(T)
        {
            for (size_t bi = 0; bi < n_batches; bi++) {
                const size_t base = bi * (size_t)m;
                const int mb = n - base < (size_t)m ? (int)(n - base) : m;
                nn2_optim o;
                nn2_optim_setup(&o, cfg, eta, n, mb);
                step_team(&tr, perm, base, mb, epoch, &o);
                if (cfg->on_progress && omp_get_thread_num() == 0 && (bi % 64 == 63))
                    cfg->on_progress(epoch, base + (size_t)mb, n, cfg->user);
            }
        }
        nn2_epoch_stats es = {.epoch = epoch, .seconds = now_s() - t0, .eta = eta,
                              .eval_cost = NAN, .train_cost = NAN, .eval_correct = -1,
                              .train_correct = -1, .eval_count = eval ? eval->count : 0,
                              .train_count = n};
        if ((st = check_finite(net, epoch, err)) != NN2_OK) break;
        nn2_eval_result r;
        if (cfg->monitor_train_cost || cfg->monitor_train_accuracy) {
            if ((st = nn2_evaluate(net, train, cfg->lambda, T, &r, err)) != NN2_OK) break;
            if (cfg->monitor_train_cost) es.train_cost = r.cost;
            if (cfg->monitor_train_accuracy) es.train_correct = r.correct;
        }
        long acc = -1;
        if (eval && (cfg->monitor_eval_cost || cfg->monitor_eval_accuracy || need_acc)) {
            if ((st = nn2_evaluate(net, eval, cfg->lambda, T, &r, err)) != NN2_OK) break;
            if (cfg->monitor_eval_cost) es.eval_cost = r.cost;
            if (cfg->monitor_eval_accuracy) es.eval_correct = r.correct;
            acc = r.correct;
        }
        const int flags = nn2_sched_after_epoch(&sched, cfg, epoch, acc);
        if ((flags & NN2_SCHED_IMPROVED) && best)
            memcpy(best, net->params, sizeof(float) * net->n_params);
        es.stopped = (flags & NN2_SCHED_STOP) != 0;
        es.next_eta = sched.eta;
        es.best_epoch = sched.best_epoch;
        if (cfg->on_epoch && cfg->on_epoch(&es, cfg->user)) break;
        if (flags & NN2_SCHED_STOP) break;
    }
    /* Early stopping hands back the best weights seen, whenever training ends. */
    if (st == NN2_OK && best && sched.best_epoch >= 0)
        memcpy(net->params, best, sizeof(float) * net->n_params);
    nn2_free(best);
    free(perm);
    nn2_trainer_free(&tr);
    return st;
}

const char *nn2_isa_name(void) { return nn2_kernels_get()->name; }
