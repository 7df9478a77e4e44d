/* train.c: nn2_train: epochs, shuffling, the automatic thread count, learning-rate schedules
 * and early stopping, monitoring, divergence checks, checkpoints, and the agreement between
 * MPI ranks at the end of each epoch. The mini-batch steps themselves are in trainer.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autocount.h"
#include "checkpoint.h"
#include "dist.h"
#include "placement.h"
#include "parallel.h"
#include "rng.h"
#include "train.h"

/* Work of one mini-batch step in FLOPs: forward + weight gradient + back-propagated delta. */
static double step_flops(const nn2_net *net, int batch)
{
    double flops = 0;
    for (int l = 0; l < net->n_layers; l++)
        flops += (l ? 6.0 : 4.0) * net->layer[l].n_in * net->layer[l].n_out;
    return flops * batch;
}

/* Training runs on a team of the threads asked for (cfg->threads, or every core), or of fewer
 * where only fewer get units of their own (nn2_trainer_team_cap), and the evaluation on the same
 * team: OpenMP ends the threads a smaller team leaves idle, and makes new ones for a larger team
 * from the calling thread, which inherit its binding to one core (on 16 cores, evaluating on
 * all 16 between 2-thread epochs put 15 threads on one core: the default run 6.2 s, not 1.3).
 * With threads = 0 (automatic), steps of less than NN2_PROBE_FLOPS are timed during the first
 * epoch with that team, then with 1, 2, 4, ... threads below it, then with the team again
 * (NN2_PROBE_STEPS steps each, or an equal share of the epoch's steps with a share left over
 * when the epoch is shorter, at least NN2_PROBE_MIN_STEPS; the first run also takes the team's
 * warm-up) and the fastest is kept: a step also costs barriers and cache-line transfers
 * between cores (1-2 us each on the 2-core VM this was written on, and it varies), and a small
 * layer has only so many 16-unit slices to share out, so small networks would otherwise get
 * slower with more threads (on 16 cores, [784,30,10] ran fastest on 2 threads, [784,100,10] on
 * 7 or 8). The results are the same bits whatever the count. An explicit count is not timed. */
#define NN2_PROBE_FLOPS 64e6
#define NN2_PROBE_STEPS 150
#define NN2_PROBE_MIN_STEPS 40

int nn2_train_threads(const nn2_config *cfg) { return nn2_threads_resolve(cfg->threads); }

/* NN2_AUTO=test (tests only): the automatic count's figures made up instead of timed, so
 * that its choices are known: a count c takes 1/c us a step, in the probe and in whole epochs,
 * except whole epochs on the first team (slow: the count the probe starts from, and the one it
 * keeps) at 100 us a step. */
static double auto_secs(double secs, int c, int whole_epoch, int slow)
{
    const char *e = getenv("NN2_AUTO");
    if (!e || strcmp(e, "test") != 0) return secs;
    return whole_epoch && c == slow ? 1e-4 : 1e-6 / c;
}

/* One read in each 4 KB page of the stored images. On this VM the first random read of each
 * page of MNIST's images costs about 150 ns more than the later ones (as much for a read of
 * each page in order: 1.2-1.8 ms for the 9,600 pages, where a read every 2 MB removed only part
 * of it), which slowed the first epoch's first thousands of steps by up to 50% (B2 on 1 thread:
 * 15.7 us a step in the first 250, 12.2-12.4 from about the 2,500th) and with them the
 * automatic count's probe. Read in order before training, they cost less than that and the
 * probe times the steps that the epochs will run. */
static void warm_pages(const nn2_dataset *d)
{
    const size_t bytes = (d->expand ? d->count / 5 : d->count) * (size_t)d->dim;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < bytes; i += 4096) sink ^= d->images[i];
    (void)sink;
}

/* Seconds a step of nn2_train_run's steady steps (its regions' steps after their first). */
static double steady(const nn2_trainer *tr)
{
    return tr->steady_steps > 0 ? tr->steady_s / (double)tr->steady_steps : 1e300;
}

/* The probe (above) at the start of epoch 0's steps (perm, n_batches of m): returns the
 * fastest count, *b past the steps it ran; *runs and *per: the counts timed and the steps each
 * (*runs 0: the epoch is too short, nothing ran); ac: their figures, for later epochs
 * (autocount.h). A stop request ends it early (T kept). */
static int probe_threads(nn2_trainer *tr, const nn2_config *cfg, const uint32_t *perm, size_t n,
                         int m, size_t n_batches, double eta, int T, size_t *b, int *runs, int *per,
                         nn2_autocount *ac)
{
    int counts[NN2_AUTO_MAX], nc = 0; /* T, 1, 2, 4, ... below T, T */
    double secs[NN2_AUTO_MAX];
    counts[nc++] = T;
    for (int c = 1; c < T; c *= 2) counts[nc++] = c;
    counts[nc++] = T;
    size_t steps = n_batches / (size_t)(nc + 1);
    if (steps > NN2_PROBE_STEPS) steps = NN2_PROBE_STEPS;
    *runs = 0;
    *per = (int)steps;
    if (steps < NN2_PROBE_MIN_STEPS) return T;
    *runs = nc;
    for (int r = 0; r < nc && tr->stop_after < 0; r++) {
        nn2_train_run(tr, cfg, perm, n, m, *b, *b + steps, eta, 0, counts[r]);
        secs[r] = auto_secs(steady(tr), counts[r], 0, T);
        *b += steps;
    }
    if (tr->stop_after >= 0) {
        *runs = 0;
        return T;
    }
    return nn2_auto_init(ac, nc, counts, secs);
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
    c->isa = -1;
    c->bind = NN2_BIND_COMPACT;
    c->monitor_eval_accuracy = 1;
}

static nn2_status check_finite(const nn2_net *net, int epoch, size_t steps, nn2_error *err)
{
    for (int l = 0; l < net->n_layers; l++) {
        const float *w = nn2_layer_WT(net, l);
        const int ldw = net->layer[l].ldw, n_in = net->layer[l].n_in;
        const size_t n = (size_t)(n_in + 1) * ldw;
        for (size_t i = 0; i < n; i++)
            if (!isfinite(w[i])) {
                const int k = (int)(i / (size_t)ldw), j = (int)(i % (size_t)ldw);
                if (k < n_in)
                    return nn2_fail(err, NN2_ERR_NUMERIC,
                                    "training diverged in epoch %d (checked after its %zu mini-batch "
                                    "steps): non-finite weight of layer %d, from input %d to neuron %d "
                                    "(try a smaller --eta)",
                                    epoch, steps, l + 1, k, j);
                return nn2_fail(err, NN2_ERR_NUMERIC,
                                "training diverged in epoch %d (checked after its %zu mini-batch steps): "
                                "non-finite bias of layer %d, neuron %d (try a smaller --eta)",
                                epoch, steps, l + 1, j);
            }
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

/* Write the training state: epoch `epoch` in progress with `batch` mini-batches done; rng: the
 * shuffling generator at the start of that epoch. */
static nn2_status write_checkpoint_file(const nn2_config *cfg, const nn2_ckpt *desc, const nn2_net *net,
                                        const nn2_trainer *tr, const float *best,
                                        const nn2_sched_state *sched, const nn2_rng *rng, int epoch,
                                        size_t batch, const nn2_epoch_stats *hist, int n_hist,
                                        nn2_error *err)
{
    nn2_ckpt c = *desc;
    c.epoch = epoch;
    c.batch = batch;
    memcpy(c.rng, rng->s, sizeof c.rng);
    c.sched = *sched;
    c.wscale = tr->wscale;
    c.params = net->params;
    c.vel = tr->vel;
    c.best = (float *)best;
    c.hist = (nn2_epoch_stats *)hist;
    c.n_hist = n_hist;
    return nn2_ckpt_save(cfg->checkpoint, &c, err);
}

/* The same from every rank: the velocities are gathered (the parameters are whole at the end of
 * an epoch), rank 0 writes, and all ranks learn whether it could. */
static nn2_status write_checkpoint(const nn2_config *cfg, const nn2_ckpt *desc, const nn2_net *net,
                                   const nn2_trainer *tr, const float *best, const nn2_sched_state *sched,
                                   const nn2_rng *rng, int epoch, size_t batch,
                                   const nn2_epoch_stats *hist, int n_hist, nn2_error *err)
{
    if (tr->ranks == 1)
        return write_checkpoint_file(cfg, desc, net, tr, best, sched, rng, epoch, batch, hist, n_hist, err);
    if (tr->vel) nn2_dist_sync_arena(tr->dist, net, tr->vel);
    nn2_status st = NN2_OK;
    if (tr->rank == 0)
        st = write_checkpoint_file(cfg, desc, net, tr, best, sched, rng, epoch, batch, hist, n_hist, err);
    return nn2_dist_agree(tr->dist, st, err);
}

/* A fingerprint of a dataset (pixels, labels, shape) for checking that every rank has the same. */
static uint64_t data_fingerprint(const nn2_dataset *d)
{
    uint64_t h = nn2_hash64((uint64_t)d->count * 1000003u + (uint64_t)d->dim * 31u + (uint64_t)d->expand);
    const size_t stored = d->expand ? d->count / 5 : d->count; /* expanded: 5 samples per image */
    const size_t n = stored * (size_t)d->dim;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, d->images + i, 8);
        h = nn2_hash64(h ^ w);
    }
    for (; i < n; i++) h = nn2_hash64(h ^ d->images[i]);
    for (i = 0; i < stored; i++) h = nn2_hash64(h ^ d->labels[i]);
    return h;
}

nn2_status nn2_train(nn2_net *net, const nn2_config *cfg, const nn2_dataset *train,
                     const nn2_dataset *eval, nn2_error *err)
{
    nn2_dist *dist = cfg->dist;
    nn2_status st = nn2_dist_agree(dist, check_config(net, cfg, train, eval, err), err);
    if (st != NN2_OK) return st;
    if (nn2_dist_size(dist) > 1) { /* every rank read the files itself: the same files? */
        uint64_t h = nn2_hash64(data_fingerprint(train) ^ (eval ? data_fingerprint(eval) : 0));
        h = nn2_hash64(h ^ nn2_hash64(cfg->seed) ^ (uint64_t)cfg->batch_size ^ ((uint64_t)cfg->epochs << 32));
        if (!nn2_dist_same(dist, h))
            return nn2_fail(err, NN2_ERR_ARG, "the ranks do not have the same data or settings "
                            "(each rank reads the data files itself: they must be the same files)");
    }
    if (cfg->checkpoint_every < 0)
        return nn2_fail(err, NN2_ERR_ARG, "checkpoint every: %d is negative", cfg->checkpoint_every);
    const size_t n = train->count;
    const int m = (size_t)cfg->batch_size < n ? cfg->batch_size : (int)n;
    const int T = nn2_train_threads(cfg); /* asked for; the team (below) trains and evaluates */
    const int need_acc = cfg->early_stop > 0 || cfg->schedule == NN2_SCHED_PLATEAU;
    nn2_ckpt desc = {0}, saved = {0};
    nn2_ckpt_describe(&desc, net, cfg, train);
    if (cfg->resume) { /* every rank reads the checkpoint */
        st = nn2_ckpt_load(cfg->resume, &saved, err);
        if (st == NN2_OK) st = nn2_ckpt_compatible(&saved, &desc, cfg->resume, err);
        if ((st = nn2_dist_agree(dist, st, err)) != NN2_OK) {
            nn2_ckpt_free(&saved);
            return st;
        }
    }
    nn2_plan plan;
    if ((st = nn2_dist_agree(dist, nn2_plan_make(&plan, T, cfg->bind, NULL, err), err)) != NN2_OK) {
        nn2_ckpt_free(&saved);
        return st;
    }
    if (dist && dist->local_size > 1 && plan.policy != NN2_BIND_NONE) {
        /* ranks sharing a node would stack their threads on the same first cores: leave the
         * placement of ranks to mpirun (--map-by, --bind-to) and the threads to the OS */
        plan.policy = NN2_BIND_NONE;
        plan.shared_node = 1;
    }
    if (train->count > 0 && !train->expand)
        nn2_plan_interleave(&plan, (void *)train->images, train->count * (size_t)train->dim);
    warm_pages(train);
    nn2_trainer tr;
    if ((st = nn2_dist_agree(dist, nn2_trainer_init_placed(&tr, net, cfg, train, m, T, &plan, err),
                             err)) != NN2_OK) {
        if (tr.net) nn2_trainer_free(&tr);
        nn2_plan_free(&plan);
        nn2_ckpt_free(&saved);
        return st;
    }
    int team = nn2_trainer_team_cap(&tr, T);
    const int cap = team < T ? team : 0, team0 = team;
    nn2_autocount ac; /* the automatic count's figures, from the probe on */
    int have_ac = 0;
    const int probe = cfg->threads == 0 && team > 1 && step_flops(net, m) < NN2_PROBE_FLOPS;
    uint32_t *perm = malloc(sizeof(uint32_t) * n);
    float *best = cfg->early_stop > 0 ? nn2_alloc(net->n_params, sizeof(float)) : NULL;
    const int hist_cap = saved.n_hist + (cfg->epochs > 0 ? cfg->epochs : 0) + 1;
    nn2_epoch_stats *hist = calloc((size_t)hist_cap, sizeof *hist);
    if (nn2_dist_any(dist, !perm || !hist || (cfg->early_stop > 0 && !best))) {
        free(perm);
        free(hist);
        nn2_free(best);
        nn2_ckpt_free(&saved);
        nn2_trainer_free(&tr);
        nn2_plan_free(&plan);
        return nn2_fail(err, NN2_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
    nn2_rng shuf; /* the shuffling stream: its own seed, derived from the run's seed */
    nn2_rng_seed(&shuf, nn2_hash64(cfg->seed ^ 0x73687566666c65ULL));
    const size_t n_batches = (n + (size_t)m - 1) / (size_t)m;
    nn2_sched_state sched;
    nn2_sched_init(&sched, cfg);
    int n_hist = 0, start_epoch = 0;
    size_t start_batch = 0;
    if (cfg->resume) {
        /* the state as saved; the permutation is replayed from the seed */
        memcpy(net->params, saved.params, sizeof(float) * net->n_params);
        if (tr.vel && saved.vel) memcpy(tr.vel, saved.vel, sizeof(float) * net->n_params);
        if (best && saved.best) memcpy(best, saved.best, sizeof(float) * net->n_params);
        sched = saved.sched;
        tr.wscale = saved.wscale;
        start_epoch = saved.epoch;
        start_batch = (size_t)saved.batch;
        n_hist = saved.n_hist;
        memcpy(hist, saved.hist, sizeof *hist * (size_t)n_hist);
        for (int e = 0; e < start_epoch; e++) nn2_rng_shuffle(&shuf, perm, n);
        if (memcmp(shuf.s, saved.rng, sizeof shuf.s) != 0 || start_batch > n_batches)
            st = nn2_fail(err, NN2_ERR_FORMAT, "%s: the checkpoint's generator state does not match its "
                          "seed and epoch", cfg->resume);
        else if (cfg->on_resume)
            cfg->on_resume(hist, n_hist, cfg->user);
    }
    nn2_ckpt_free(&saved);

    nn2_eval_bufs eb = {0}; /* the monitoring's evaluation buffers, kept from epoch to epoch */
    for (int epoch = start_epoch; epoch < cfg->epochs && st == NN2_OK; epoch++) {
        const nn2_rng at_start = shuf;
        nn2_rng_shuffle(&shuf, perm, n); /* in place, every epoch, like random.shuffle */
        const double eta = sched.eta, t0 = nn2_now_s();
        size_t b = epoch == start_epoch ? start_batch : 0;
        int probed = 0, per = 0, before = 0, now_probe = 0, retry = 0;
        double us_before = 0, us_now = 0;
        if (probe && b == 0 && epoch == 0) {
            team = probe_threads(&tr, cfg, perm, n, m, n_batches, eta, team0, &b, &probed, &per, &ac);
            have_ac = probed > 0 && tr.ranks == 1; /* (with ranks, an epoch waits for the slowest) */
        } else if (have_ac) { /* the count with the least latest figure (autocount.h) */
            const int prev = team;
            team = nn2_auto_next(&ac, &retry);
            if (team != prev) {
                before = prev;
                us_before = 1e6 * nn2_auto_figure(&ac, prev, NULL);
                us_now = 1e6 * nn2_auto_figure(&ac, team, &now_probe);
            }
        }
        const size_t b_rest = b;
        if (tr.stop_after < 0) nn2_train_run(&tr, cfg, perm, n, m, b, n_batches, eta, epoch, team);
        if (have_ac && tr.stop_after < 0 && n_batches - b_rest >= NN2_PROBE_MIN_STEPS)
            nn2_auto_record(&ac, team, auto_secs(steady(&tr), team, 1, team0));
        if (tr.ranks > 1) nn2_dist_sync_arena(dist, net, net->params); /* whole on every rank */
        if (tr.stop_after >= 0) { /* stopped on request inside this epoch (one rank only) */
            const size_t done = (size_t)tr.stop_after + 1;
            if (cfg->checkpoint)
                st = write_checkpoint(cfg, &desc, net, &tr, best, &sched, &at_start, epoch, done, hist, n_hist, err);
            nn2_trainer_settle(&tr); /* the network's weights, for the caller */
            if (st == NN2_OK)
                st = nn2_fail(err, NN2_ERR_INTERRUPTED, "stopped at epoch %d after mini-batch %zu of %zu%s%s",
                              epoch, done, n_batches, cfg->checkpoint ? "; checkpoint written to " : "",
                              cfg->checkpoint ? cfg->checkpoint : "");
            break;
        }
        nn2_epoch_stats es = {.epoch = epoch, .seconds = nn2_now_s() - t0, .eta = eta,
                              .eval_cost = NAN, .train_cost = NAN, .eval_correct = -1,
                              .train_correct = -1, .eval_count = eval ? eval->count : 0,
                              .train_count = n, .threads = team, .team_cap = cap, .probed = probed,
                              .probe_steps = per, .threads_before = before, .step_us_before = us_before,
                              .step_us_now = us_now, .now_from_probe = now_probe,
                              .retry_after = retry};
        if ((st = check_finite(net, epoch, n_batches, err)) != NN2_OK) break;
        nn2_eval_result r;
        if (cfg->monitor_train_cost || cfg->monitor_train_accuracy) { /* on every rank */
            st = nn2_eval_run(net, train, cfg->lambda, team, cfg->monitor_train_cost, NULL, &eb, &r,
                              err);
            if ((st = nn2_dist_agree(dist, st, err)) != NN2_OK) break;
            if (cfg->monitor_train_cost) es.train_cost = r.cost;
            if (cfg->monitor_train_accuracy) es.train_correct = r.correct;
        }
        long acc = -1;
        if (eval && (cfg->monitor_eval_cost || cfg->monitor_eval_accuracy || need_acc)) {
            st = nn2_eval_run(net, eval, cfg->lambda, team, cfg->monitor_eval_cost, NULL, &eb, &r,
                              err);
            if ((st = nn2_dist_agree(dist, st, err)) != NN2_OK) break;
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
        if (n_hist < hist_cap) hist[n_hist++] = es;
        const int last = epoch + 1 == cfg->epochs || (flags & NN2_SCHED_STOP);
        if (cfg->checkpoint && cfg->checkpoint_every > 0 && ((epoch + 1) % cfg->checkpoint_every == 0 || last))
            if ((st = write_checkpoint(cfg, &desc, net, &tr, best, &sched, &shuf, epoch + 1, 0, hist, n_hist, err)) != NN2_OK)
                break;
        if (nn2_dist_any(dist, cfg->on_epoch && cfg->on_epoch(&es, cfg->user))) break;
        if (flags & NN2_SCHED_STOP) break;
        if (nn2_dist_any(dist, cfg->stop && *cfg->stop)) { /* the epoch is complete */
            if (cfg->checkpoint)
                st = write_checkpoint(cfg, &desc, net, &tr, best, &sched, &shuf, epoch + 1, 0, hist, n_hist, err);
            if (st == NN2_OK)
                st = nn2_fail(err, NN2_ERR_INTERRUPTED, "stopped after epoch %d%s%s", epoch,
                              cfg->checkpoint ? "; checkpoint written to " : "", cfg->checkpoint ? cfg->checkpoint : "");
            break;
        }
    }
    /* Early stopping hands back the best weights seen, whenever training ends. */
    if (st == NN2_OK && best && sched.best_epoch >= 0)
        memcpy(net->params, best, sizeof(float) * net->n_params);
    nn2_eval_bufs_free(&eb);
    free(hist);
    nn2_free(best);
    free(perm);
    nn2_trainer_free(&tr);
    nn2_plan_free(&plan);
    return st;
}

const char *nn2_isa_name(void) { return nn2_kernels_get()->name; }
