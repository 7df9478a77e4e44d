/* train.h: internal entry points of the training loop, used by nn2_train and the tests. */
#ifndef NN2_TRAIN_H
#define NN2_TRAIN_H

#include "layers.h"
#include "optim.h"
#include "parallel.h"
#include "profile.h"

/* What each thread keeps to itself: it converts the whole mini-batch's inputs, and computes the
 * (small) output layer redundantly, so neither is shared. */
typedef struct nn2_priv {
    _Alignas(128) float *x; /* (m, sizes[0]) inputs; each thread's record on its own pair of
                               cache lines (the unit of the adjacent-line prefetcher) */
    float *xn;       /* (m, sizes[0]) the first xn_rows (0: none) inputs of the next mini-batch,
                        the one at xn_base, converted during this step (see step.c) */
    size_t xn_base;
    int xn_rows;
    int *sel; /* with the sparse first layer (nn2_trainer.sparse): this step's inputs that are
                 non-zero in some row of x, in increasing order (sizes[0] at most) */
    float *out;      /* (m, sizes[L]) output activations */
    float *dout;     /* (m, sizes[L]) output deltas (BP1) */
    uint8_t *labels; /* (m) */
    float *scratch;  /* transposed small weight slices for BP2 (nn2_dense_backward_delta) */
    float *bacc;     /* blocked: a later block's bias sums (the widest layer), added to G's */
    float *dpk;      /* a wide first layer: its deltas by panels (step.h), m x sizes[1] rounded up */
    /* lean or rep, threads other than 0: this thread's copy of the layers after the first
     * (their blocks as in the arena, from layer 1's on; with one hidden layer the output
     * layer's), their gradients and velocities (thread 0 uses the arenas) */
    float *wout, *gout, *vout;
    nn2_ws pws; /* rep: this thread's hidden buffers (but layer 1's activations, shared) */
    /* lean with a tail (see trainer.c), (m, ld) like the hidden buffers: ha the tail's
     * activations, hin the output layer's input (the shared main columns copied, then the
     * tail), hmask the tail's dropout mask, hd its deltas; only the tail columns of ha, hmask
     * and hd are used. hin == ha without dropout. */
    float *ha, *hin, *hmask;
    float *hd;       /* lean: this thread's hidden deltas (m, ld), at its units' columns */
    float *gp;       /* lean: the output layer's partial sums it computes itself, (3, m, ldp):
                        the two groups of hidden units, then the tail (see out_forward) */
    /* regions of 2 or more threads: this thread's units [u0, u0 + n) of the first layer, their
     * weights then bias row (n_in + 1, ld0), gradients (scratch) and velocities; cap0 floats
     * each (see own0_sync in trainer.c) */
    float *w0, *g0, *v0;
    size_t cap0;
    int u0, ld0;
    double wscale;    /* this thread's copy of the trainer's wscale during a region */
    unsigned episode; /* team barriers this thread has passed in this region (nn2_bar_wait) */
    unsigned parity; /* steps run in this parallel region: which hidden buffer is this step's */
    uint64_t bal_ticks; /* with tr->bal_on: its first-layer forward products and gradients' */
    long bal_steps;     /* time (nn2_ticks) and the steps they were summed over */
    nn2_dataset data; /* the training data as this thread reads it: its NUMA node's copy */
    nn2_prof prof;    /* with NN2_PROFILE: this thread's time per phase (profile.h) */
} nn2_priv;

/* Everything a training step needs, allocated once before the loop. */
typedef struct nn2_trainer {
    nn2_net *net;
    const nn2_config *cfg;
    const nn2_kernels *k;
    nn2_ws ws;       /* hidden layers' activations, deltas, masks (rows = mini-batch size) */
    float *grads;    /* (n_params) same layout as net->params */
    float *vel;      /* (n_params) velocities, with momentum only */
    nn2_priv *priv;  /* (n_priv) one per thread */
    int n_priv;
    int m_max;       /* the most samples a step computes: the mini-batch, or one block of it */
    int block;       /* samples per block at most (NN2_BLOCK_ROWS, or NN2_BLOCK) */
    int blocked;     /* mini-batches of more than NN2_BLOCK_FROM (or NN2_BLOCK) samples are
                        trained in blocks, m_max = block (nn2_trainer_minibatch) */
    int dropout;     /* any hidden layer has a dropout rate */
    int lean;        /* [in, hidden, out]: one barrier per step (see step.c) */
    int deep_split;  /* NN2_DEEP_SPLIT, read at init: 0 (rep_pays decides), 1 first, 2 all */
    int rep_ok, rep; /* deeper networks on small mini-batches: every thread computes the layers
                        after the first (rep_ok: may; rep: this parallel region does; step.c) */
    float *a_alt, *dropped_alt; /* lean, rep: second buffers of the first hidden layer, used
                                   every other step */
    int in2;         /* two or more hidden layers, the first of 2 slices (17-32 units): its sums
                        in two halves of the inputs, kh, part and ldq as a 2-slice tail's (step.c);
                        by halves on a team under rep (nn2_trainer_in2_halves), else by units */
    int single;      /* no hidden layer: its one layer's sums in two halves of the inputs, kh
                        (step.c), on teams of at most 2 (nn2_trainer_team_cap) */
    float *zb;       /* single: zeros (ldp), the bias out_rows adds (half 0's sums hold it) */
    int tail;        /* lean, 6q+1 or 2 hidden slices: the last slice (or with 2, the whole
                        layer) is computed in two halves (see trainer.c) */
    int nm;          /* tail: its first unit (the units before it are whole slices) */
    int tt;          /* the tail (of one slice) is kept transposed, its halves are its units */
    int kh;          /* not tt (or single): the inputs' split point: half 0 is [0, kh), half 1
                        [kh, n_in) */
    int tc[2];       /* tt: the units of half 0 (the first (tail + 1) / 2) and of half 1 */
    int gh[2];       /* tt: the half of the tail in the output layer's group g (out_forward): the
                        one thread g computes on 2 threads of one rank */
    int ldq;         /* the tail's units rounded up to 16 */
    float *part[2];  /* half h's partial sums (2 parities, m, ldq), written by its thread; tt:
                        its weighted inputs before the activation */
    /* tail: half h's weights, gradients, velocities, transposed (its units, ldh[h]) over the
     * inputs if tt, then its biases; else (its inputs, ldh[h] = ldq) over the tail's units,
     * then in half 0 the tail's biases; each half on pages of its own (trainer.c) */
    float *tw[2], *tg[2], *tv[2];
    int ldh[2];
    int own0;            /* this parallel region keeps the first layer in the threads' w0 */
    int ga, gm;          /* lean: the output layer's groups of hidden units [0, ga) and [ga, gm);
                            the tail (if any) is [gm, n) */
    int ldp;             /* the outputs rounded up to 16 */
    float *gpart[2];     /* lean: each group's partial sums (2 parities, m, ldp), written by the
                            group's owner on 2 threads; single: each half's, by its owner */
    int split_out_ok;    /* lean without a tail, one rank, an output layer worth a barrier
                            (m * hidden * outputs >= NN2_SPLIT_OUT_MIN): may split it (step.c) */
    int split_out;       /* this parallel region (3 or more threads) does */
    float *sout, *sdout; /* split_out: the output layer's activations and deltas (m, outputs),
                            each row written by one thread, read by all after a barrier */
    int team;            /* this parallel region's thread count */
    /* the first hidden layer's units shared out by measured speed (balance.h; nn2_train_run):
     * bal_mode 0 off (NN2_BALANCE=0, or not a network it applies to), 1 on, 2 for tests (the
     * threads' times per slice taken as 1, 2, 3, 1, 2, 3, ... instead of measured); for a team
     * of bal_team threads (0: none) thread t owns units [bal_cut[t], bal_cut[t + 1]), and
     * bal_on says that this region times them */
    int bal_mode, bal_team, bal_on;
    int *bal_cut; /* (n_priv + 1) */
    const struct nn2_plan *plan; /* the placement the buffers were made for (NULL: none) */
    void **node_images;          /* (plan->n_numa) per-node copies of the images, or NULL */
    size_t image_bytes;
    nn2_dist *dist;  /* ranks training together (NULL: one process) */
    int rank, ranks;
    nn2_bar bar;     /* the team's barrier */
    /* lazy decay (step.c): the first layer's weights (not its biases) are wscale times the
     * stored ones; 1 between epochs (nn2_trainer_settle) */
    double wscale;
    /* the sparse first layer (step.c): its forward product and weight gradient run over the
     * inputs that are non-zero in some image of the mini-batch only (the same bits; with
     * momentum or L1 the other rows' gradients are zero); off where the kernel set has no _sel
     * products, or with NN2_SPARSE=0 */
    int sparse;
    volatile long stop_after; /* index of the mini-batch after which every thread stops */
    /* nn2_train_run's steps after the first of each parallel region (timed by thread 0): their
     * seconds and count, without what a region costs to open and close (the tail's transposed
     * copy, binding, the first step's cold caches): the automatic count's figures (train.c) */
    double steady_s;
    long steady_steps;
    uint64_t drop_seed;
    uint64_t prof_tick0; /* with NN2_PROFILE: the profile's clock and the monotonic one at */
    double prof_s0;      /* the start, to convert its ticks to nanoseconds */
} nn2_trainer;

/* A mini-batch of more than NN2_BLOCK_FROM samples is trained in blocks of at most
 * NN2_BLOCK_ROWS (nn2_trainer_minibatch, step.h): every buffer holds one block, whose inputs
 * stay in the core's L2 cache from the forward pass to the weight gradient. Measured (README,
 * "Large mini-batches"): blocks of 64 trained mini-batches of 256-5,000 1.02-1.12x faster than
 * blocks of 128, those of 100 and 128 no faster than one step. NN2_BLOCK (1 to
 * NN2_BLOCK_LIMIT) sets both to its value, for tests and measurements. */
#define NN2_BLOCK_ROWS 64
#define NN2_BLOCK_FROM 128
#define NN2_BLOCK_LIMIT (1 << 20)

/* m_max: the largest mini-batch; threads: the most threads any step will run with. */
nn2_status nn2_trainer_init(nn2_trainer *tr, nn2_net *net, const nn2_config *cfg,
                            const nn2_dataset *data, int m_max, int threads, nn2_error *err);
void nn2_trainer_free(nn2_trainer *tr);

typedef struct nn2_plan nn2_plan;
/* The same, with each thread's buffers allocated by (and bound to) its place in plan, and the
 * shared ones interleaved over the plan's NUMA nodes. */
nn2_status nn2_trainer_init_placed(nn2_trainer *tr, nn2_net *net, const nn2_config *cfg,
                                   const nn2_dataset *data, int m_max, int threads,
                                   const nn2_plan *plan, nn2_error *err);

/* The largest team of at most T threads that gives every thread units of its own (1 to T;
 * T for a network without a hidden layer and with MPI ranks): more threads would only wait. */
int nn2_trainer_team_cap(const nn2_trainer *tr, int T);

/* One mini-batch step: samples idx[base .. base+mb) of the trainer's data, n = training-set
 * size, eta = this epoch's learning rate. Runs its own parallel region with `threads`. */
void nn2_train_batch(nn2_trainer *tr, const uint32_t *idx, size_t base, int mb, size_t n,
                     double eta, int epoch, int threads);
/* Mini-batches [b0, b1) of an epoch (samples perm[b*m ..], n in all) with a team of T threads,
 * in one parallel region; returns the seconds taken (and sets tr->steady_s, steady_steps).
 * Honours cfg->stop after the mini-batch in progress (one rank: tr->stop_after is the last one
 * run) and calls cfg->on_progress. */
double nn2_train_run(nn2_trainer *tr, const nn2_config *cfg, const uint32_t *perm, size_t n, int m,
                     size_t b0, size_t b1, double eta, int epoch, int T);
/* The first layer's stored weights multiplied by wscale, and wscale = 1: the network's
 * parameters are then its weights (nn2_train_run does it at the end of each epoch). */
void nn2_trainer_settle(nn2_trainer *tr);
/* Monotonic clock, seconds. */
double nn2_now_s(void);

/* Sum over samples idx[0..m) of the per-sample gradient of the cost into tr->grads, without
 * updating (single thread, dropout of epoch 0 applied if the network has it). */
void nn2_train_grads(nn2_trainer *tr, const uint32_t *idx, int m);

#endif
