/* test_threads.c: the determinism promise: same seed => bit-identical parameters and saved
 * model bytes for 1, 2, 3 and 4 threads (oversubscribing is fine), including mini-batches
 * smaller than the thread count and a smaller last mini-batch; for network2's sigmoid nets and
 * for dropout + momentum configurations, with one hidden layer (the one-barrier step with
 * per-thread output layers; 100 and 9 hidden units: the last 16-unit slice computed in two
 * halves by two threads; 23: the whole layer in two halves) and with two (mini-batches of 1-10:
 * the later layers computed by every thread in its own copy; 64: every layer's units shared
 * out); the sparse first layer equal to the dense one on mostly-zero images, for every
 * configuration, and its evaluation too; a wide first layer whose weight gradient reads its
 * deltas by panels on some thread counts and not on others; a thread count that changes from
 * step to step (as the automatic mode's first-epoch timing does; through nn2_train_batch, which
 * runs the count it is given: nn2_train trains only with as many threads as get units of their own, checked
 * here too, and the automatic count's changes from epoch to epoch, on made-up timings); the first layer shared by measured speed (balance.h: its share against
 * enumeration, and the same bits on a skewed share); mini-batches trained in blocks (the same
 * bits for every thread count, sparse or not); and evaluation results independent of threads;
 * and the team barrier, whole and split in two. */
#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <unistd.h>

#include "balance.h"
#include "fileio.h"
#include "net.h"
#include "test_nets.h"
#include "test_util.h"
#include "parallel.h"
#include "train.h"

enum { N = 203, DIM = 49 };

/* The networks: [DIM, 23, 10] (2 slices of 16: the whole layer computed in two halves of the
 * inputs), [DIM, 100, 10] and [DIM, 9, 10] (7 and 1 slices: the last one computed in two
 * halves), [DIM, 23, 17, 10], [DIM, 10] with no hidden layer, and [DIM, 48, 10] (3 whole
 * slices; with mini-batches of 64 on 3 or more threads its output layer is shared out by rows,
 * split_out). */
enum { N_SHAPES = 6, SPLIT_SHAPE = 5 };
static const int shapes[N_SHAPES][4] = {{DIM, 23, 10}, {DIM, 100, 10}, {DIM, 9, 10}, {DIM, 23, 17, 10}, {DIM, 10},
                                        {DIM, 48, 10}};
static const int shape_len[N_SHAPES] = {3, 3, 3, 4, 2, 3};

static int n_inputs = DIM; /* the networks' inputs: DIM, or the sparse test's SPARSE_DIM */
static int train_isa = -1; /* the kernel set train_with uses: the default, or the sparse test's */

static nn2_net *make_net(const config *cf, int shape)
{
    const int depth = shape_len[shape];
    int sizes[4];
    memcpy(sizes, shapes[shape], sizeof sizes);
    sizes[0] = n_inputs;
    return config_net(cf, sizes, depth);
}

/* on_epoch: a copy of the epoch's statistics into user (an nn2_epoch_stats) */
static int keep_stats(const nn2_epoch_stats *st, void *user)
{
    *(nn2_epoch_stats *)user = *st;
    return 0;
}

/* on_epoch: the epoch's thread count into ((int *)user)[epoch] and its retry's wait into
 * seq_retry[epoch] (user NULL: nothing) */
static int seq_retry[16];
static int note_count(const nn2_epoch_stats *st, void *user)
{
    if (user && st->epoch < 16) {
        ((int *)user)[st->epoch] = st->threads;
        seq_retry[st->epoch] = st->retry_after;
    }
    return 0;
}

/* net trained for the epochs given with cf's settings under train_isa's kernel set */
static nn2_net *train_net(nn2_net *net, const config *cf, int epochs, int threads, int batch,
                          const nn2_dataset *d)
{
    nn2_error err;
    nn2_config c;
    config_train(&c, cf, epochs, batch, threads);
    c.isa = train_isa;
    CHECK(nn2_train(net, &c, d, NULL, &err) == NN2_OK, "%s", err.msg);
    return net;
}

static nn2_net *train_with(const config *cf, int shape, int threads, int batch, const nn2_dataset *d)
{
    return train_net(make_net(cf, shape), cf, 3, threads, batch, d);
}

/* Two epochs of mini-batches of m through nn2_train_batch, step s on threads[s % n_threads]. */
static nn2_net *train_steps(const config *cf, int shape, const int *threads, int n_threads,
                            const nn2_dataset *d, int m)
{
    nn2_net *net = make_net(cf, shape);
    nn2_config c;
    nn2_config_default(&c);
    c.momentum = cf->momentum;
    c.nesterov = cf->nesterov;
    c.reg = cf->reg;
    c.seed = 7;
    nn2_trainer tr;
    nn2_error err;
    NN2_ASSERT(nn2_trainer_init(&tr, net, &c, d, m, 4, &err) == NN2_OK);
    static uint32_t idx[N];
    int s = 0;
    for (int e = 0; e < 2; e++) {
        for (int i = 0; i < N; i++) idx[i] = (uint32_t)((i * 37 + e * 11) % N);
        for (size_t b = 0; b < N; b += (size_t)m, s++) {
            const int mb = N - b < (size_t)m ? (int)(N - b) : m;
            nn2_train_batch(&tr, idx, b, mb, N, 0.1, e, threads[s % n_threads]);
        }
    }
    nn2_trainer_free(&tr);
    return net;
}

/* [DIM, 80, 10] (5 slices, no tail) trained for two epochs through nn2_train_run on T (at most
 * 5) threads: the first layer's cuts after each epoch (T + 1 each), the balance's mode and the
 * team its share was last for (trainer.c, bal_prepare). */
static void balance_run(const nn2_dataset *d, int T, int cuts[2][6], int *mode, int *team)
{
    const int sizes[3] = {DIM, 80, 10};
    nn2_arch a;
    nn2_arch_sigmoid(&a, sizes, 3, NN2_COST_CROSS_ENTROPY);
    nn2_net *net;
    nn2_error err;
    NN2_ASSERT(T <= 5 && nn2_net_create_arch(&net, &a, &err) == NN2_OK);
    nn2_net_init(net, NN2_INIT_DEFAULT, 42);
    nn2_config c;
    nn2_config_default(&c);
    nn2_trainer tr;
    NN2_ASSERT(nn2_trainer_init(&tr, net, &c, d, 10, T, &err) == NN2_OK);
    static uint32_t perm[N];
    for (int i = 0; i < N; i++) perm[i] = (uint32_t)i;
    for (int e = 0; e < 2; e++) {
        nn2_train_run(&tr, &c, perm, N, 10, 0, (N + 9) / 10, 0.5, e, T);
        for (int t = 0; t <= T; t++) cuts[e][t] = tr.bal_cut[t];
    }
    *mode = tr.bal_mode;
    *team = tr.bal_team;
    nn2_trainer_free(&tr);
    nn2_net_free(net);
}

/* The team barrier, whole (nn2_bar_wait) and in two parts with work between them
 * (nn2_bar_arrive, nn2_bar_finish), for teams of 2-5 threads (more than the cores: the yield
 * path): in each episode every thread publishes the episode number, passes the barrier, and
 * must then see every other thread's number at that episode or at most one ahead. Returns the
 * count of violations. */
static int barrier_violations(int team, int split)
{
    enum { EPISODES = 3000 };
    nn2_bar bar;
    NN2_ASSERT(nn2_bar_init(&bar, team));
    nn2_bar_reset(&bar, team);
    _Atomic unsigned seen[8] = {0};
    int bad = 0;
#pragma omp parallel num_threads(team) reduction(+ : bad)
    {
        const int t = omp_get_thread_num(), n = omp_get_num_threads();
        unsigned episode = 0;
        volatile unsigned sink = 0;
        for (unsigned e = 1; e <= EPISODES; e++) {
            atomic_store_explicit(&seen[t], e, memory_order_relaxed);
            if (split) {
                nn2_bar_arrive(&bar, t, n, &episode);
                for (unsigned w = 0; w < (e * 7u + (unsigned)t) % 50u; w++) sink += w; /* work */
                nn2_bar_finish(&bar, t, n, &episode);
            } else {
                nn2_bar_wait(&bar, t, n, &episode);
            }
            for (int u = 0; u < n; u++) {
                const unsigned s = atomic_load_explicit(&seen[u], memory_order_relaxed);
                bad += s < e || s > e + 1;
            }
        }
        (void)sink;
        bad += n != team || episode != EPISODES;
    }
    nn2_bar_free(&bar);
    return bad;
}

int main(void)
{
    for (int team = 2; team <= 5; team++)
        for (int split = 0; split < 2; split++)
            CHECK(barrier_violations(team, split) == 0, "barrier (%s) of %d threads let a thread pass early",
                  split ? "arrive/finish" : "wait", team);

    static uint8_t px[N * DIM], lab[N];
    for (int i = 0; i < N * DIM; i++) px[i] = (uint8_t)((i * 2654435761u) >> 24);
    for (int i = 0; i < N; i++) lab[i] = (uint8_t)(((unsigned)i * 7u + px[i * DIM]) % 10);
    const nn2_dataset d = {px, lab, N, DIM, 10, 7, 7, 0};
    const config configs[] = {
        {"sigmoid cross-entropy", NN2_ACT_SIGMOID, NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY, 0, 0, 0, NN2_REG_L2},
        {"sigmoid quadratic", NN2_ACT_SIGMOID, NN2_ACT_SIGMOID, NN2_COST_QUADRATIC, 0, 0, 0, NN2_REG_L2},
        {"relu softmax dropout momentum", NN2_ACT_RELU, NN2_ACT_SOFTMAX, NN2_COST_LOG_LIKELIHOOD, 0.5f, 0.9, 0, NN2_REG_L2},
        {"tanh dropout nesterov L1", NN2_ACT_TANH, NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY, 0.3f, 0.8, 1, NN2_REG_L1},
    };
    const int batches[] = {1, 3, 10, 64};
    for (int sh = 0; sh < N_SHAPES; sh++)
    for (int c = 0; c < 4; c++)
        for (int bi = 0; bi < 4; bi++) {
            nn2_net *ref = train_with(&configs[c], sh, 1, batches[bi], &d);
            char p1[64], pt[64];
            snprintf(p1, sizeof p1, "/tmp/nn2-threads-%d-1.json", (int)getpid());
            nn2_error err;
            NN2_ASSERT(nn2_net_save(ref, p1, &err) == NN2_OK);
            for (int t = 2; t <= 4; t++) {
                nn2_net *net = train_with(&configs[c], sh, t, batches[bi], &d);
                CHECK(memcmp(net->params, ref->params, sizeof(float) * ref->n_params) == 0,
                      "%s, hidden %d, %d layers, batch %d: %d threads differ from 1",
                      configs[c].name, shapes[sh][1], shape_len[sh], batches[bi], t);
                snprintf(pt, sizeof pt, "/tmp/nn2-threads-%d-%d.json", (int)getpid(), t);
                NN2_ASSERT(nn2_net_save(net, pt, &err) == NN2_OK);
                char *a, *b;
                size_t la, lb;
                NN2_ASSERT(nn2_read_file(p1, 1 << 26, &a, &la, &err) == NN2_OK);
                NN2_ASSERT(nn2_read_file(pt, 1 << 26, &b, &lb, &err) == NN2_OK);
                CHECK(la == lb && memcmp(a, b, la) == 0, "saved model bytes differ at %d threads", t);
                free(a);
                free(b);
                remove(pt);
                nn2_eval_result r1, rt;
                NN2_ASSERT(nn2_evaluate(net, &d, 1.0, 1, &r1, &err) == NN2_OK);
                NN2_ASSERT(nn2_evaluate(net, &d, 1.0, t, &rt, &err) == NN2_OK);
                CHECK(r1.correct == rt.correct && r1.cost == rt.cost, "evaluation depends on threads");
                nn2_eval_result ra;
                NN2_ASSERT(nn2_evaluate_accuracy(net, &d, t, &ra, &err) == NN2_OK);
                CHECK(ra.correct == r1.correct && ra.count == r1.count && isnan(ra.cost),
                      "accuracy-only evaluation: %ld of %zu (cost %g) against %ld of %zu", ra.correct,
                      ra.count, ra.cost, r1.correct, r1.count);
                nn2_net_free(net);
            }
            remove(p1);
            nn2_net_free(ref);
        }
    /* mini-batches trained in blocks (nn2_trainer_minibatch; NN2_BLOCK=16 here): 64 samples in
     * 4 blocks, 37 in 3 uneven ones (12, 12, 13), the last mini-batch of 203 % 37 = 18 in 2:
     * byte-identical models on 1-4 threads (the sparse first layer: below) */
    NN2_ASSERT(setenv("NN2_BLOCK", "16", 1) == 0);
    const int blocked[] = {64, 37};
    for (int sh = 0; sh < N_SHAPES; sh++)
        for (int c = 0; c < 4; c++)
            for (int bi = 0; bi < 2; bi++) {
                nn2_net *ref = train_with(&configs[c], sh, 1, blocked[bi], &d);
                for (int t = 2; t <= 4; t++) {
                    nn2_net *net = train_with(&configs[c], sh, t, blocked[bi], &d);
                    CHECK(memcmp(net->params, ref->params, sizeof(float) * ref->n_params) == 0,
                          "blocks of 16: %s, hidden %d, %d layers, batch %d: %d threads differ from 1",
                          configs[c].name, shapes[sh][1], shape_len[sh], blocked[bi], t);
                    nn2_net_free(net);
                }
                nn2_net_free(ref);
            }
    NN2_ASSERT(unsetenv("NN2_BLOCK") == 0);
    /* the sparse first layer (the inputs non-zero in some image of the mini-batch): the same
     * bits as every input (NN2_SPARSE=0), on images that are mostly zeros, with whole columns
     * zero in every image, for each layout of the first layer and every configuration (plain
     * L2 SGD: the lazy decay's add to the selected rows; momentum, Nesterov, L1: every row
     * updated from gradients zero outside them), with more inputs than the gradient's chunk of
     * rows; every third input is rarely set, so that it is zero in some mini-batches of 64 and
     * not in others; one image in 13 is blank, so that a mini-batch of 1 selects no input */
    enum { SPARSE_DIM = 150 };
    static uint8_t sp[N * SPARSE_DIM];
    for (int i = 0; i < N * SPARSE_DIM; i++) {
        const unsigned h = (unsigned)i * 2654435761u, col = (unsigned)(i % SPARSE_DIM);
        sp[i] = col % 7 == 0 || col < 7 || (col >= 60 && col < 70) || (h & 255u) >= (col % 3 ? 40u : 4u) ||
                        (i / SPARSE_DIM) % 13 == 5 /* a blank image */
                    ? 0
                    : (uint8_t)(1u + (h >> 24) % 255u);
    }
    const nn2_dataset ds = {sp, lab, N, SPARSE_DIM, 10, 10, 15, 0};
    n_inputs = SPARSE_DIM;
    /* with every kernel set this CPU has: each has its own sel_grad_min (nn2_kernels.h) */
    for (train_isa = 0; train_isa < NN2_ISA_OPENBLAS; train_isa++)
    for (int sh = 0; sh < N_SHAPES && nn2_kernels_for((nn2_isa)train_isa); sh++)
        for (int c = 0; c < 4; c++)
            for (int bi = 0; bi < 4; bi++)
                for (int t = 1; t <= 3; t++) {
                    NN2_ASSERT(setenv("NN2_SPARSE", "0", 1) == 0);
                    nn2_net *dense = train_with(&configs[c], sh, t, batches[bi], &ds);
                    NN2_ASSERT(unsetenv("NN2_SPARSE") == 0);
                    nn2_net *sparse = train_with(&configs[c], sh, t, batches[bi], &ds);
                    CHECK(memcmp(dense->params, sparse->params, sizeof(float) * dense->n_params) == 0,
                          "%s, %s, hidden %d, %d layers, batch %d, %d threads: sparse first layer differs",
                          nn2_isa_str((nn2_isa)train_isa), configs[c].name, shapes[sh][1], shape_len[sh],
                          batches[bi], t);
                    /* evaluation: the first layer over each 32-row part's non-zero inputs */
                    nn2_eval_result re[2];
                    nn2_error err;
                    for (int v = 0; v < 2; v++) {
                        if (!v) NN2_ASSERT(setenv("NN2_SPARSE", "0", 1) == 0);
                        NN2_ASSERT(nn2_evaluate(sparse, &ds, 1.0, t, &re[v], &err) == NN2_OK);
                        NN2_ASSERT(unsetenv("NN2_SPARSE") == 0);
                    }
                    CHECK(re[0].correct == re[1].correct && memcmp(&re[0].cost, &re[1].cost, sizeof(double)) == 0,
                          "%s, hidden %d, %d layers, %d threads: sparse evaluation %ld, %.17g against %ld, %.17g",
                          configs[c].name, shapes[sh][1], shape_len[sh], t, re[1].correct, re[1].cost,
                          re[0].correct, re[0].cost);
                    nn2_net_free(dense);
                    nn2_net_free(sparse);
                }
    /* the same in blocks of 16 (a later block adds its selected rows' sums to the earlier
     * ones, the last applies every row), on 1 and 3 threads */
    NN2_ASSERT(setenv("NN2_BLOCK", "16", 1) == 0);
    for (train_isa = 0; train_isa < NN2_ISA_OPENBLAS; train_isa++)
    for (int sh = 0; sh < N_SHAPES && nn2_kernels_for((nn2_isa)train_isa); sh++)
        for (int c = 0; c < 4; c++)
            for (int bi = 0; bi < 2; bi++)
                for (int t = 1; t <= 3; t += 2) {
                    NN2_ASSERT(setenv("NN2_SPARSE", "0", 1) == 0);
                    nn2_net *dense = train_with(&configs[c], sh, t, blocked[bi], &ds);
                    NN2_ASSERT(unsetenv("NN2_SPARSE") == 0);
                    nn2_net *sparse = train_with(&configs[c], sh, t, blocked[bi], &ds);
                    CHECK(memcmp(dense->params, sparse->params, sizeof(float) * dense->n_params) == 0,
                          "blocks of 16: %s, %s, hidden %d, %d layers, batch %d, %d threads: sparse "
                          "first layer differs", nn2_isa_str((nn2_isa)train_isa), configs[c].name,
                          shapes[sh][1], shape_len[sh], blocked[bi], t);
                    nn2_net_free(dense);
                    nn2_net_free(sparse);
                }
    NN2_ASSERT(unsetenv("NN2_BLOCK") == 0);
    /* a wide first layer, [SPARSE_DIM, 600, 10] over every input: its 600 units and each
     * thread's 300 on 2 threads read their deltas by panels of 48 columns in the weight
     * gradient (step.h: 256 units or more over mini-batches of 64 or more; with the last
     * mini-batch, of 3 or 11 samples, as before), 200 and 150 on 3 and 4 threads as they are:
     * the same bits, with every kernel set and configuration */
    NN2_ASSERT(setenv("NN2_SPARSE", "0", 1) == 0);
    for (train_isa = 0; train_isa < NN2_ISA_OPENBLAS; train_isa++)
        for (int c = 0; c < 4 && nn2_kernels_for((nn2_isa)train_isa); c++)
            for (int bi = 0; bi < 2; bi++) {
                const int wide[3] = {SPARSE_DIM, 600, 10}, mb = bi ? 100 : 64;
                nn2_net *net[4];
                for (int t = 1; t <= 4; t++) {
                    net[t - 1] = train_net(config_net(&configs[c], wide, 3), &configs[c], 2, t, mb, &ds);
                    CHECK(memcmp(net[t - 1]->params, net[0]->params, sizeof(float) * net[0]->n_params) == 0,
                          "%s, %s, [%d, 600, 10], batch %d: %d threads differ from 1",
                          nn2_isa_str((nn2_isa)train_isa), configs[c].name, SPARSE_DIM, mb, t);
                }
                for (int t = 0; t < 4; t++) nn2_net_free(net[t]);
            }
    NN2_ASSERT(unsetenv("NN2_SPARSE") == 0);
    n_inputs = DIM;
    train_isa = -1;
    /* unit ownership: contiguous, cut at multiples of 16, covering every unit once, and within
     * 8 units of an even split at each cut */
    int split_bad = 0;
    for (int n = 1; n <= 300; n++)
        for (int parts = 1; parts <= 8; parts++) {
            int prev = 0;
            for (int t = 0; t < parts; t++) {
                int b, e;
                nn2_split16(n, parts, t, &b, &e);
                const double even = (double)n * (t + 1) / parts;
                split_bad += b != prev || e < b || (e % 16 != 0 && e != n) ||
                             (t + 1 < parts && (e - even > 8.0 || even - e > 8.0));
                prev = e;
            }
            split_bad += prev != n;
        }
    CHECK(split_bad == 0, "nn2_split16: %d bad splits", split_bad);
    int u0, u1;
    nn2_split16(100, 2, 0, &u0, &u1);
    CHECK(u0 == 0 && u1 == 48, "100 units on 2 threads: [%d, %d), want [0, 48)", u0, u1);

    /* the balance's share (balance.h): against every share of S slices over nt threads (1 to
     * cap[t] each), the slowest thread's time is the least, and the counts are a share */
    {
        int bad = 0, cases = 0;
        unsigned h = 12345u;
        for (int nt = 1; nt <= 4; nt++)
            for (int S = nt; S <= 11; S++)
                for (int rep = 0; rep < 20; rep++, cases++) {
                    double cs[4];
                    int cap[4], got[4], sum_cap = 0;
                    for (int t = 0; t < nt; t++) {
                        h = h * 1103515245u + 12345u;
                        cs[t] = 0.5 + (double)((h >> 16) % 100) / 20.0;
                        cap[t] = 1 + (int)((h >> 8) % (unsigned)S);
                        sum_cap += cap[t];
                    }
                    if (sum_cap < S) cap[nt - 1] += S - sum_cap;
                    nn2_balance_counts(S, nt, cs, cap, got);
                    int total = 0;
                    for (int t = 0; t < nt; t++) {
                        total += got[t];
                        bad += got[t] < 1 || got[t] > cap[t];
                    }
                    bad += total != S;
                    /* the best share, by enumeration */
                    double best = 1e300;
                    int n[4] = {1, 1, 1, 1};
                    for (;;) {
                        int sum = 0;
                        for (int t = 0; t < nt; t++) sum += n[t];
                        if (sum == S) {
                            const double tm = nn2_balance_time(nt, cs, n);
                            best = tm < best ? tm : best;
                        }
                        int t = 0;
                        while (t < nt && ++n[t] > cap[t]) n[t++] = 1;
                        if (t == nt) break;
                    }
                    bad += nn2_balance_time(nt, cs, got) > best;
                }
        CHECK(bad == 0, "nn2_balance_counts: %d bad shares in %d cases", bad, cases);
        const double c3[3] = {1.0, 2.0, 1.0};
        const int cap3[3] = {8, 8, 8};
        int n3[3];
        nn2_balance_counts(10, 3, c3, cap3, n3);
        CHECK(n3[0] == 4 && n3[1] == 2 && n3[2] == 4, "10 slices at 1, 2, 1 per slice: %d %d %d, want 4 2 4",
              n3[0], n3[1], n3[2]);
    }
    /* the balanced share in a trainer (NN2_BALANCE=test: the threads' times per slice taken as
     * 1, 2, 3, 1): [DIM, 80, 10], 5 slices, on 4 threads: the even share 16 32 16 16 units, then
     * 32 16 16 16; and whatever the share, the same bits as 1 thread, for lean networks and
     * deeper ones with the later layers on every thread */
    NN2_ASSERT(setenv("NN2_BALANCE", "test", 1) == 0);
    {
        int cuts[2][6], mode, team;
        balance_run(&d, 4, cuts, &mode, &team);
        static const int want[2][5] = {{0, 16, 48, 64, 80}, {0, 32, 48, 64, 80}};
        CHECK(mode == 2 && team == 4 && !memcmp(cuts[0], want[0], sizeof want[0]) &&
                  !memcmp(cuts[1], want[1], sizeof want[1]),
              "balanced share of [DIM, 80, 10] on 4 threads: mode %d, team %d, cuts %d %d %d %d %d then "
              "%d %d %d %d %d", mode, team, cuts[0][0], cuts[0][1], cuts[0][2], cuts[0][3], cuts[0][4],
              cuts[1][0], cuts[1][1], cuts[1][2], cuts[1][3], cuts[1][4]);
    }
    /* measured (NN2_BALANCE unset): not on more threads than processors, whose times would be
     * the scheduler's; the even share stays */
    NN2_ASSERT(unsetenv("NN2_BALANCE") == 0);
    const int over = omp_get_num_procs() + 1;
    if (over >= 3 && over <= 5) { /* [DIM, 80, 10] has 5 slices */
        int cuts[2][6], mode, team;
        balance_run(&d, over, cuts, &mode, &team);
        CHECK(mode == 1 && team == 0, "%d threads on %d processors: balance mode %d, team %d", over,
              over - 1, mode, team);
    }
    NN2_ASSERT(setenv("NN2_BALANCE", "test", 1) == 0);
    for (int deep = 0; deep < 2; deep++)
        for (int c = 0; c < 4; c += 2)
            for (int bi = 0; bi < 4; bi++) {
                const int bsizes[4] = {DIM, 80, deep ? 17 : 10, 10};
                nn2_net *net[3];
                for (int q = 0; q < 3; q++) {
                    net[q] = config_net(&configs[c], bsizes, 3 + deep);
                    nn2_config cf;
                    config_train(&cf, &configs[c], 3, batches[bi], q + 2 - (q == 0)); /* 1, 3, 4 */
                    nn2_error err;
                    CHECK(nn2_train(net[q], &cf, &d, NULL, &err) == NN2_OK, "%s", err.msg);
                }
                for (int q = 1; q < 3; q++)
                    CHECK(memcmp(net[q]->params, net[0]->params, sizeof(float) * net[0]->n_params) == 0,
                          "balanced share: %s, [DIM, 80%s, 10], batch %d: %d threads differ from 1",
                          configs[c].name, deep ? ", 17" : "", batches[bi], q + 2);
                for (int q = 0; q < 3; q++) nn2_net_free(net[q]);
            }
    NN2_ASSERT(unsetenv("NN2_BALANCE") == 0);

    /* both steps of deeper networks are covered above: [DIM, 23, 17, 10] takes the one with the
     * later layers on every thread for mini-batches of 1-10 on 2 threads, and shares out every
     * layer at 64 (the choice made at the trainer's set-up, rep_pays in trainer.c) */
    for (int bi = 0; bi < 4 && !getenv("NN2_DEEP_SPLIT"); bi++) {
        nn2_net *net = make_net(&configs[0], 3);
        nn2_config c;
        nn2_config_default(&c);
        nn2_trainer tr;
        nn2_error err;
        NN2_ASSERT(nn2_trainer_init(&tr, net, &c, &d, batches[bi], 2, &err) == NN2_OK);
        CHECK(tr.rep_ok == (batches[bi] < 32), "batch %d: rep_ok %d", batches[bi], tr.rep_ok);
        nn2_trainer_free(&tr);
        nn2_net_free(net);
    }

    /* the output layer shared out by rows: for [DIM, 48, 10] and [DIM, 100, 10] (a transposed
     * tail) on mini-batches of 64 (covered above on 3 and 4 threads), not of 10 (the barrier
     * would cost more), nor for [DIM, 23, 10] (a tail over the inputs) */
    static const struct { int shape, m, want; } splits[] = {
        {SPLIT_SHAPE, 64, 1}, {SPLIT_SHAPE, 10, 0}, {1, 64, 1}, {1, 10, 0}, {0, 64, 0}};
    for (int q = 0; q < 5; q++) {
        const int sh = splits[q].shape, m = splits[q].m;
        nn2_net *net = make_net(&configs[0], sh);
        nn2_config c;
        nn2_config_default(&c);
        nn2_trainer tr;
        nn2_error err;
        NN2_ASSERT(nn2_trainer_init(&tr, net, &c, &d, m, 4, &err) == NN2_OK);
        CHECK(tr.split_out_ok == splits[q].want, "hidden %d, batch %d: split_out_ok %d", shapes[sh][1], m,
              tr.split_out_ok);
        nn2_trainer_free(&tr);
        nn2_net_free(net);
    }

    /* evaluation buffers kept from pass to pass (nn2_train's, every epoch): one set through every
     * shape, thread counts and dataset sizes that change, with and without the cost, and its
     * per-sample slots poisoned between passes: the same results as buffers of one pass */
    {
        nn2_eval_bufs kb = {0};
        nn2_dataset d50 = d;
        d50.count = 50;
        static const struct { int T, small, with_cost; } passes[] = {
            {2, 0, 1}, {1, 0, 0}, {3, 1, 1}, {4, 0, 1}, {2, 1, 0}, {4, 0, 0}};
        int bad = 0, runs = 0;
        for (int sh = 0; sh < N_SHAPES; sh++)
            for (int c = 0; c < 4; c += 2) {
                nn2_net *net = make_net(&configs[c], sh);
                for (size_t q = 0; q < sizeof passes / sizeof passes[0]; q++) {
                    const nn2_dataset *dq = passes[q].small ? &d50 : &d;
                    nn2_eval_result fresh, kept;
                    nn2_error err;
                    NN2_ASSERT(nn2_eval_run(net, dq, 1.0, passes[q].T, passes[q].with_cost, NULL, NULL, &fresh,
                                            &err) == NN2_OK);
                    if (kb.correct) memset(kb.correct, 0xFF, kb.correct_cap);
                    for (size_t i = 0; kb.cost && i < kb.cost_cap; i++) kb.cost[i] = NAN;
                    NN2_ASSERT(nn2_eval_run(net, dq, 1.0, passes[q].T, passes[q].with_cost, NULL, &kb, &kept,
                                            &err) == NN2_OK);
                    bad += fresh.correct != kept.correct || fresh.count != kept.count ||
                           memcmp(&fresh.cost, &kept.cost, sizeof fresh.cost) != 0;
                    runs++;
                }
                nn2_net_free(net);
            }
        nn2_eval_bufs_free(&kb);
        CHECK(bad == 0, "kept evaluation buffers: %d of %d passes differ from fresh ones", bad, runs);
    }

    /* the team nn2_train trains with (nn2_trainer_team_cap): the most threads, up to the count
     * asked for, that all get hidden units of their own; a network without a hidden layer has
     * two halves of its inputs (at most 2) */
    static const struct { int shape, m, T, want; } caps[] = {
        {0, 10, 4, 2},  /* [DIM, 23, 10]: the layer's two halves */
        {0, 10, 1, 1},  {1, 10, 16, 8}, /* [DIM, 100, 10]: 6 slices and 2 tail halves */
        {1, 10, 5, 5},  {2, 10, 4, 2},  /* [DIM, 9, 10]: one slice in two halves */
        {3, 5, 4, 2},   /* [DIM, 23, 17, 10], later layers on every thread: the first layer's 2 slices */
        {3, 64, 4, 2},  /* every layer's units shared out: 2 slices in each */
        {4, 10, 4, 2},  {4, 100, 16, 2}, {4, 10, 1, 1}, /* [DIM, 10]: its two halves */
        {5, 64, 16, 3}, /* [DIM, 48, 10]: 3 slices (and split_out) */
    };
    for (size_t q = 0; q < sizeof caps / sizeof caps[0] && !getenv("NN2_DEEP_SPLIT"); q++) {
        nn2_net *net = make_net(&configs[0], caps[q].shape);
        nn2_config c;
        nn2_config_default(&c);
        nn2_trainer tr;
        nn2_error err;
        NN2_ASSERT(nn2_trainer_init(&tr, net, &c, &d, caps[q].m, caps[q].T, &err) == NN2_OK);
        const int got = nn2_trainer_team_cap(&tr, caps[q].T);
        CHECK(got == caps[q].want, "hidden %d, %d layers, batch %d, %d threads: a team of %d, want %d",
              shapes[caps[q].shape][1], shape_len[caps[q].shape], caps[q].m, caps[q].T, got, caps[q].want);
        nn2_trainer_free(&tr);
        nn2_net_free(net);
    }
    { /* [DIM, 1, 10]: a one-unit transposed tail, whose half 1 is empty: one thread */
        const int one[3] = {DIM, 1, 10};
        nn2_arch a;
        nn2_arch_sigmoid(&a, one, 3, NN2_COST_CROSS_ENTROPY);
        nn2_net *net;
        nn2_error err;
        NN2_ASSERT(nn2_net_create_arch(&net, &a, &err) == NN2_OK);
        nn2_config c;
        nn2_config_default(&c);
        nn2_trainer tr;
        NN2_ASSERT(nn2_trainer_init(&tr, net, &c, &d, 10, 4, &err) == NN2_OK);
        for (int T = 1; T <= 4; T++)
            CHECK(nn2_trainer_team_cap(&tr, T) == 1, "[DIM, 1, 10], %d threads: a team of %d, want 1", T,
                  nn2_trainer_team_cap(&tr, T));
        nn2_trainer_free(&tr);
        nn2_net_free(net);
    }
    /* and nn2_train says so: [DIM, 23, 10] asked for 4 threads trains on 2, the same bits */
    for (int asked = 2; asked <= 4; asked += 2) {
        nn2_net *net = make_net(&configs[0], 0);
        nn2_config c;
        nn2_config_default(&c);
        c.epochs = 1;
        c.threads = asked;
        c.monitor_eval_accuracy = 0;
        nn2_epoch_stats seen = {.threads = -1};
        c.on_epoch = keep_stats;
        c.user = &seen;
        nn2_error err;
        CHECK(nn2_train(net, &c, &d, NULL, &err) == NN2_OK, "%s", err.msg);
        CHECK(seen.threads == 2 && seen.team_cap == (asked == 4 ? 2 : 0),
              "[DIM, 23, 10] asked for %d threads: trained on %d, team_cap %d", asked, seen.threads,
              seen.team_cap);
        nn2_net_free(net);
    }

    /* the automatic count from epoch to epoch (autocount.h) under NN2_AUTO=test, where whole
     * epochs on the whole team (2 threads) take 100 us a step and a count c otherwise 1/c us:
     * the probe keeps 2, epoch 1 runs on 1, and 2 is tried again at epochs 2 and 5; the model
     * is 1 thread's, bit for bit */
    {
        const int sizes[3] = {DIM, 80, 10};
        nn2_arch ar;
        nn2_arch_sigmoid(&ar, sizes, 3, NN2_COST_CROSS_ENTROPY);
        nn2_net *net[2];
        static int seq[16], tried[16];
        for (int q = 0; q < 2; q++) {
            nn2_error err;
            NN2_ASSERT(nn2_net_create_arch(&net[q], &ar, &err) == NN2_OK);
            nn2_net_init(net[q], NN2_INIT_DEFAULT, 42);
            nn2_config c;
            nn2_config_default(&c);
            c.epochs = 6;
            c.batch_size = 1; /* 203 steps: 3 probe runs of 50, and 53 more */
            c.threads = q ? 0 : 1;
            c.monitor_eval_accuracy = 0;
            c.on_epoch = note_count;
            c.user = q ? seq : NULL;
            const int keep = omp_get_max_threads();
            omp_set_num_threads(2);
            NN2_ASSERT(setenv("NN2_AUTO", "test", 1) == 0);
            CHECK(nn2_train(net[q], &c, &d, NULL, &err) == NN2_OK, "%s", err.msg);
            NN2_ASSERT(unsetenv("NN2_AUTO") == 0);
            omp_set_num_threads(keep);
        }
        for (int e = 0; e < 6; e++) tried[e] = seq_retry[e];
        static const int want[6] = {2, 1, 2, 1, 1, 2}, want_wait[6] = {0, 0, 1, 0, 0, 2};
        CHECK(!memcmp(seq, want, sizeof want) && !memcmp(tried, want_wait, sizeof want_wait),
              "the automatic count under NN2_AUTO=test: epochs on %d %d %d %d %d %d threads (retries after "
              "%d %d), want 2 1 2 1 1 2 (after 1 2)", seq[0], seq[1], seq[2], seq[3], seq[4], seq[5], tried[2],
              tried[5]);
        CHECK(memcmp(net[0]->params, net[1]->params, sizeof(float) * net[0]->n_params) == 0,
              "the automatic count's changes changed the result");
        nn2_net_free(net[0]);
        nn2_net_free(net[1]);
    }

    /* the thread count changing between steps: per-thread copies and buffers must follow (and
     * the output layer between the threads' copies and the arena, split_out with 40 rows, with
     * and without a tail) */
    static const int one[] = {1}, mixed[] = {2, 1, 3, 3, 1, 4, 2, 2, 1};
    for (int sh = 0; sh <= N_SHAPES + 1; sh++)
        for (int c = 0; c < 4; c++) {
            const int s = sh < N_SHAPES ? sh : sh == N_SHAPES ? SPLIT_SHAPE : 1, m = sh < N_SHAPES ? 5 : 40;
            nn2_net *a = train_steps(&configs[c], s, one, 1, &d, m);
            nn2_net *b = train_steps(&configs[c], s, mixed, 9, &d, m);
            CHECK(memcmp(a->params, b->params, sizeof(float) * a->n_params) == 0,
                  "%s, hidden %d, %d layers, batch %d: a thread count changing between steps changes the result",
                  configs[c].name, shapes[s][1], shape_len[s], m);
            nn2_net_free(a);
            nn2_net_free(b);
        }
    return test_end("threads");
}
