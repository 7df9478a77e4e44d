/* trainer.c: the training buffers, who owns what, and the parallel regions that run the
 * mini-batch steps (step.c) on every thread of a team.
 *
 * How a step is parallel and still bit-identical for any thread count: by neuron ownership.
 * Every hidden layer's output units are cut into slices of 16 (one cache line of a weight row);
 * thread t owns the same slices in every step of a parallel region (on teams of 3 or more the
 * first layer's are shared by measured speed between regions: bal_prepare; with MPI, rank r
 * owns a run of slices and its threads split that run). For its slices it computes z, a = f(z), dropout, the deltas (BP2)
 * and the weight and bias gradients (BP3, BP4) summed over the mini-batch in sample order, and
 * applies the update while the gradient is in registers. So each weight is only ever read and
 * written by one thread (the big matrices never move between cores), and each number is
 * produced by the same sequence of operations whatever the thread count. The output layer
 * (10 units) is computed redundantly by every thread, except that with one hidden layer on 2
 * threads each thread owns the output weights of its hidden units (out_forward); each thread
 * converts the mini-batch's pixels itself (those it reads: with a 2-slice layer, its half's).
 * Barriers: see nn2_trainer_step (step.c).
 *
 * Whole slices cannot always be shared evenly: B2's 100 units are 7 slices (the last one of 4
 * units, which costs as much as a full one), 3 + 4 on 2 threads. So in [in, hidden, out]
 * networks whose hidden layer has 6q+1 slices (1-16 units, 97-112, 193-208, ...) the last slice
 * (the tail) is always computed in two halves, each by one thread, with the same operations
 * whoever runs it (100 units on 2 threads: 3 slices and a half each; on 3, 2 + 2.5 + 2.5
 * instead of 2 + 2 + 3).
 *
 * Such a tail of one slice is computed transposed and cut by units: vectorised over its units,
 * B2's 4 tail units would fill 4 of a vector's 16 lanes, so during a parallel region its
 * weights live in a transposed copy tw (units x inputs), the forward is dot products over the
 * inputs (gemm_nt) and the weight gradient and update run along the inputs (gemm_tn with full
 * vectors): 3-4x less work for the tail. Half h is the units [nm + h tc0, ...) (tc0 = half the
 * tail, rounded up), all their inputs: its owner computes their activations, dropout, deltas,
 * weights, biases and output-layer rows like any of its units, so nothing of the tail crosses
 * the cores except through the output layer's group sums (each group holds one half: gh). (The
 * first version cut the tail over its inputs instead, whose two partial sums then had to be
 * added after the barrier by both threads: B2 on 2 threads 1.006-1.017x faster this way, B3
 * 1.021x, 1 thread the same.)
 *
 * A hidden layer of 2 slices (17-32 units, the book's [784, 30, 10]) is all tail, cut over the
 * inputs: whole slices would give each of 2 threads a one-vector panel (one FMA chain per row:
 * latency-bound before the tall tiles, and with them still 1.16x slower on B1's 2 threads), and a
 * third thread nothing; as two halves of the inputs each thread has 2-vector panels over half the
 * inputs (its weighted inputs as (x[:, 0:kh] . WT[0:kh] + b) + x[:, kh:] . WT[kh:], its weight
 * gradient as the rows [0, kh) and [kh, n_in) of WT), converts only its half of the pixels, and the
 * two halves' partial sums (mb x 32 floats) are all that crosses the cores. One thread computes the
 * same two halves (measured on B1: 2 threads 1.28x faster, 1 thread 0.99x). Its tw keeps the
 * arena's layout (inputs x units).
 *
 * So is a deeper network's first hidden layer of 2 slices (in2): each unit's sum is (x[:, 0:kh] .
 * WT[0:kh] + b) + x[:, kh:] . WT[kh:] on every path; on a team under rep each thread computes
 * one half's partial sums for all of its units, and only those cross the cores.
 *
 * A network without a hidden layer (single) is cut the same way, into two halves of its inputs
 * (kh: a multiple of 16 near the middle), each with its own weight rows, and only the halves'
 * partial output sums (mb x 10 floats for MNIST) cross the cores; teams of at most 2. (Before,
 * every thread computed the whole layer's sums and updated its share of the rows in the arena,
 * with two barriers a step: [784,10] with mini-batches of 10 ran 3.0x slower on 2 threads than
 * on 1; now 1.5x faster.)
 *
 * The copies are loaded from the arena before each region and written back after it
 * (tail_sync), so outside the training loop the arena is the only copy. Each half (with its
 * biases, or with a 2-slice tail all of them in half 0) is a separate allocation, as are the
 * halves' buffers: the thread that owns a half is the only one that writes it.
 *
 * Owning whole cache lines is not enough: the L2's adjacent-line prefetcher works on aligned
 * pairs of lines, and in the arena a thread's units of a weight row often share a pair with
 * the next thread's (48 + 52 units in rows of 112 floats), so lines moved between the cores on
 * every step. In parallel regions of 2 or more threads each thread therefore keeps its units of
 * the first layer (the big one; nobody else reads it) in a block of its own (own0_sync), and in
 * [in, hidden, out] networks its hidden deltas in a buffer of its own.
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "balance.h"
#include "dist.h"
#include "optim.h"
#include "placement.h"
#include "parallel.h"
#include "rng.h"
#include "step.h"


/* Whether a team of T threads may share the first layer by measured speed (bal_prepare): 3 or
 * more, no more than the processors (more: their times would be the scheduler's, not the
 * cores'; 4 threads on 2 cores ran B4's epochs in 0.127-0.187 s balanced, against 0.127-0.140
 * on the even share), of the threads the trainer was made for. */
static int bal_may(const nn2_trainer *tr, int T)
{
    return tr->bal_mode && T >= 3 && T <= tr->n_priv && (T <= omp_get_num_procs() || tr->bal_mode == 2);
}

/* Floats of thread t's first-layer block (nn2_priv.w0) for the most units it can own in a team
 * of 2 to n_priv threads (one thread keeps the arena). */
static size_t own0_cap(const nn2_trainer *tr, int t)
{
    if (tr->net->n_layers < 2) return 0; /* no hidden layer: see region_open */
    int w = 0, j0, j1, h0, h1;
    for (int T = t < 2 ? 2 : t + 1; T <= tr->n_priv; T++) {
        nn2_trainer_share(tr, 0, t, T, &j0, &j1, &h0, &h1);
        int n = nn2_round16(j1 - j0);
        if (bal_may(tr, T)) n *= 2; /* a balanced share: up to twice the even one */
        w = n > w ? n : w;
    }
    if (w > nn2_round16(tr->net->sizes[1])) w = nn2_round16(tr->net->sizes[1]);
    return (size_t)(tr->net->sizes[0] + 1) * (size_t)w;
}

/* Whether a network of two or more hidden layers trains faster on a team of T threads with
 * the layers after the first computed by every thread (rep, step.c: one barrier a step, and
 * only the first hidden layer's activations cross the cores) than with every layer's units
 * shared out (2L - 1 barriers a step, and each thread's BP2 reads weight rows the others
 * update). rep repeats on every thread the work of the layers after the first, a share
 * (1 - 1/T) W1/W of the step (W: all weights, W1: those after the first layer); the shared-out
 * step pays per step for its barriers and the lines that cross, which a mini-batch of m
 * samples amortizes. Measured on the 2-core VM (README, "Deeper networks"): rep for m < 32
 * or a repeated share under 10%. NN2_DEEP_SPLIT=first (rep) or all (units of every layer
 * shared out) overrides the choice; any other value is ignored. */
static int rep_pays(const nn2_trainer *tr, int T)
{
    if (tr->deep_split) return tr->deep_split == 1; /* for measurements: forced (trainer init) */
    const nn2_net *net = tr->net;
    const int m = tr->m_max;
    double w1 = 0.0;
    for (int l = 1; l < net->n_layers; l++) w1 += (double)net->layer[l].n_in * net->layer[l].n_out;
    const double w = w1 + (double)net->layer[0].n_in * net->layer[0].n_out;
    return m < 32 || (1.0 - 1.0 / T) * w1 / w < 0.10;
}

/* An [in, hidden, out] network's output layer (without a tail, or with a transposed one: B3)
 * is shared out by rows on 3 or more
 * threads (step.c) when m * hidden * outputs reaches this: below it, the forward product and
 * weight gradient that every thread would repeat (2 m hidden outputs multiply-adds, a few us
 * at 16k) cost about what the added barrier and the deltas' trip between cores do. */
#define NN2_SPLIT_OUT_MIN 16384.0

nn2_status nn2_trainer_init(nn2_trainer *tr, nn2_net *net, const nn2_config *cfg,
                            const nn2_dataset *data, int m_max, int threads, nn2_error *err)
{
    return nn2_trainer_init_placed(tr, net, cfg, data, m_max, threads, NULL, err);
}

nn2_status nn2_trainer_init_placed(nn2_trainer *tr, nn2_net *net, const nn2_config *cfg,
                                   const nn2_dataset *data, int m_max, int threads,
                                   const nn2_plan *plan, nn2_error *err)
{
    memset(tr, 0, sizeof *tr);
#if defined(__GLIBC__)
    /* glibc serves an allocation above its mmap threshold (128 KB at first) with fresh pages of
     * its own mapping. On this VM the same buffers ran slower from such pages than from malloc's
     * heap: in 2-thread B2 steps, the weight gradient of the thread whose block got them took
     * 10% longer (10.0-10.4k against 9.1-9.3k TSC cycles; swapping the two threads' blocks moved
     * the slowness with the block). So the training buffers (up to a few MB each) come from the
     * heap: blocks up to 32 MB are not mapped one by one (a process-wide setting). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    tr->net = net;
    tr->cfg = cfg;
    tr->k = cfg->isa >= 0 ? nn2_kernels_for((nn2_isa)cfg->isa) : nn2_kernels_get();
    if (!tr->k) return nn2_fail(err, NN2_ERR_ARG, "isa: kernel set %d is not available here", cfg->isa);
    tr->plan = plan;
    /* a mini-batch of more than NN2_BLOCK_FROM samples is trained in blocks of at most
     * NN2_BLOCK_ROWS (nn2_trainer_minibatch): the buffers hold one block */
    const char *bs = getenv("NN2_BLOCK"); /* for tests and measurements; other values ignored */
    const long bv = bs ? strtol(bs, NULL, 10) : 0;
    const int set = bv >= 1 && bv <= NN2_BLOCK_LIMIT;
    tr->block = set ? (int)bv : NN2_BLOCK_ROWS;
    tr->blocked = m_max > (set ? (int)bv : NN2_BLOCK_FROM);
    if (tr->blocked) m_max = tr->block;
    tr->m_max = m_max;
    tr->dist = cfg->dist;
    tr->wscale = 1.0;
    tr->sparse = nn2_sparse_on(tr->k) && tr->k->gemm_tn_sel;
    tr->stop_after = -1;
    tr->rank = nn2_dist_rank(cfg->dist);
    tr->ranks = nn2_dist_size(cfg->dist);
    for (int l = 0; l + 1 < net->n_layers; l++) tr->dropout |= net->arch.dropout[l] > 0.0;
    tr->drop_seed = nn2_hash64(cfg->seed ^ 0x64726f706f7574ULL);
#if NN2_PROFILE
    tr->prof_tick0 = nn2_prof_now();
    tr->prof_s0 = nn2_now_s();
#endif
    nn2_status st = nn2_ws_create(&tr->ws, net, m_max, 1, err);
    if (st != NN2_OK) return st;
    tr->grads = nn2_alloc(net->n_params, sizeof(float));
    if (cfg->momentum != 0.0) tr->vel = nn2_alloc(net->n_params, sizeof(float));
    tr->n_priv = threads > 0 ? threads : 1;
    tr->priv = nn2_alloc_guarded((size_t)tr->n_priv, sizeof *tr->priv); /* zeroed */
    int ok = tr->grads && (cfg->momentum == 0.0 || tr->vel) && tr->priv && nn2_bar_init(&tr->bar, tr->n_priv);
    tr->lean = net->n_layers == 2;
    const char *split = getenv("NN2_DEEP_SPLIT"); /* read once: rep_pays runs on every step */
    tr->deep_split = split && !strcmp(split, "first") ? 1 : split && !strcmp(split, "all") ? 2 : 0;
    tr->rep_ok = net->n_layers >= 3 && tr->ranks == 1 && rep_pays(tr, 2);
    const size_t out_block = /* the layers after the first */
        net->n_layers >= 2 ? net->n_params - net->layer[1].offset : 0;
    if (tr->lean || tr->rep_ok) {
        const size_t hidden = (size_t)m_max * tr->ws.ld[1];
        tr->a_alt = nn2_alloc(hidden, sizeof(float));
        if (tr->ws.dropped[1]) tr->dropped_alt = nn2_alloc(hidden, sizeof(float));
        ok = ok && tr->a_alt && (!tr->ws.dropped[1] || tr->dropped_alt);
    }
    const int slices = (net->sizes[1] + 15) / 16;
    if (tr->lean && (slices % 6 == 1 || slices == 2) && net->sizes[0] >= 2) {
        tr->tail = 1;
        tr->nm = slices == 2 ? 0 : (net->sizes[1] - 1) / 16 * 16;
        const int n_in = net->sizes[0], tn = net->sizes[1] - tr->nm;
        tr->tt = tn <= 16;
        tr->ldq = nn2_round16(tn);
        tr->kh = tr->tt ? 0 : n_in / 2;
        tr->tc[0] = tr->tt ? (tn + 1) / 2 : 0;
        tr->tc[1] = tr->tt ? tn - tr->tc[0] : 0;
        for (int h = 0; h < 2; h++) { /* each half is written by one thread: guarded */
            const int rows = tr->tt ? tr->tc[h] : h ? n_in - tr->kh : tr->kh;
            tr->ldh[h] = tr->tt ? nn2_round16(n_in) : tr->ldq;
            /* tt: + the half's biases; else half 0: + the tail's */
            const size_t len = tr->tt ? (size_t)rows * tr->ldh[h] + 16 : (size_t)(rows + !h) * tr->ldh[h];
            tr->part[h] = nn2_alloc_guarded((size_t)2 * m_max * tr->ldq, sizeof(float));
            tr->tw[h] = nn2_alloc_guarded(len, sizeof(float));
            tr->tg[h] = nn2_alloc_guarded(len, sizeof(float));
            if (tr->vel) tr->tv[h] = nn2_alloc_guarded(len, sizeof(float));
            ok = ok && tr->part[h] && tr->tw[h] && tr->tg[h] && (!tr->vel || tr->tv[h]);
        }
    }
    /* a deeper network's first hidden layer of 2 slices: summed in two halves of the inputs, as
     * a 2-slice tail (step.c), on every path */
    tr->in2 = net->n_layers >= 3 && slices == 2 && net->sizes[0] >= 2;
    if (tr->in2) {
        tr->kh = net->sizes[0] / 2;
        tr->ldq = nn2_round16(net->sizes[1]);
        for (int h = 0; h < 2; h++) { /* half h's partial sums, written by its owner: guarded */
            tr->part[h] = nn2_alloc_guarded((size_t)2 * m_max * tr->ldq, sizeof(float));
            ok = ok && tr->part[h];
        }
    }
    tr->single = net->n_layers == 1;
    if (tr->single) { /* its two halves of the inputs (step.c): lines of 16, or halves of fewer */
        const int n_in = net->sizes[0];
        tr->kh = n_in >= 32 ? nn2_cut16(n_in, 2, 1) : n_in / 2;
        tr->ldp = nn2_round16(net->sizes[1]);
        tr->zb = nn2_alloc((size_t)tr->ldp, sizeof(float));
        ok = ok && tr->zb;
        for (int g = 0; g < 2; g++) { /* half g's partial sums, written by its owner: guarded */
            tr->gpart[g] = nn2_alloc_guarded((size_t)2 * m_max * tr->ldp, sizeof(float));
            ok = ok && tr->gpart[g];
        }
    }
    if (tr->lean) { /* the output layer's groups of hidden units (out_forward) */
        tr->gm = tr->tail ? tr->nm : net->sizes[1];
        int g0;
        nn2_split16(tr->gm, 2, 0, &g0, &tr->ga);
        tr->ldp = nn2_round16(net->sizes[2]);
        nn2_trainer one = *tr; /* gh is a definition: the same for every rank and team */
        one.rank = 0;
        one.ranks = 1;
        for (int g = 0; g < 2; g++) {
            tr->gpart[g] = nn2_alloc_guarded((size_t)2 * m_max * tr->ldp, sizeof(float));
            ok = ok && tr->gpart[g];
            int j0, j1, h0, h1;
            nn2_trainer_share(&one, 0, g, 2, &j0, &j1, &h0, &h1);
            tr->gh[g] = h1 > h0 ? h0 : g;
        }
    }
    /* the output layer shared out by rows on 3 or more threads (step.c), where it is worth the
     * barrier that adds: each thread would otherwise compute all of it, and its update, alone */
    tr->split_out_ok = tr->lean && (!tr->tail || tr->tt) && tr->ranks == 1 &&
                       (double)m_max * net->sizes[1] * net->sizes[2] >= NN2_SPLIT_OUT_MIN;
    /* the first layer's units shared out by measured speed, where ownership is all that moves
     * (no tail, whose halves are placed by work; one rank) */
    const char *bal = getenv("NN2_BALANCE");
    if (net->n_layers >= 2 && (tr->lean || tr->rep_ok) && !tr->tail && !tr->in2 && tr->ranks == 1 &&
        !(bal && !strcmp(bal, "0"))) {
        tr->bal_mode = bal && !strcmp(bal, "test") ? 2 : 1;
        tr->bal_cut = nn2_alloc((size_t)tr->n_priv + 1, sizeof(int));
        ok = ok && tr->bal_cut;
    }
    if (tr->split_out_ok) {
        tr->sout = nn2_alloc((size_t)m_max * net->sizes[2], sizeof(float));
        tr->sdout = nn2_alloc((size_t)m_max * net->sizes[2], sizeof(float));
        ok = ok && tr->sout && tr->sdout;
    }
    const int n0 = net->sizes[0], nL = net->sizes[net->n_layers];
    /* single: the scaled deltas; in2: its halves' sums of a thread's units (step.c) */
    size_t scratch = tr->single ? (size_t)m_max * nL : tr->in2 ? (size_t)2 * m_max * tr->ldq : 1;
    for (int l = 1; l < net->n_layers; l++)
        if (net->layer[l].n_out <= NN2_SMALL_OUT) {
            const size_t s = (size_t)net->layer[l].n_in * net->layer[l].n_out;
            scratch = s > scratch ? s : scratch;
        }
    /* several NUMA nodes with bound threads: the images are read at random rows, so each node
     * that has threads gets its own copy (47 MB for MNIST) rather than mostly remote reads */
    if (ok && plan && plan->n_numa > 1 && plan->policy != NN2_BIND_NONE && data->count > 0) {
        tr->image_bytes = (data->expand ? data->count / 5 : data->count) * (size_t)data->dim;
        tr->node_images = calloc((size_t)plan->n_numa, sizeof(void *));
        for (int t = 0; tr->node_images && t < tr->n_priv && t < plan->n_threads; t++) {
            const int node = plan->place[t].numa;
            if (node >= 0 && node < plan->n_numa && !tr->node_images[node])
                tr->node_images[node] = nn2_plan_node_copy(plan, node, data->images, tr->image_bytes);
        }
    }
    /* each thread allocates and zeroes its own buffers: first touch puts them on its node */
    int failed = !ok;
#pragma omp parallel num_threads(tr->n_priv) reduction(| : failed)
    for (int t = omp_get_thread_num(); ok && t < tr->n_priv; t += omp_get_num_threads()) {
        nn2_priv *p = &tr->priv[t];
        if (plan) nn2_plan_bind_self(plan, t);
        p->data = *data;
        const int node = plan && t < plan->n_threads ? plan->place[t].numa : -1;
        if (tr->node_images && node >= 0 && tr->node_images[node]) p->data.images = tr->node_images[node];
        p->scratch = nn2_alloc(scratch, sizeof(float));
        p->x = nn2_alloc_guarded((size_t)m_max * n0, sizeof(float));
        p->xn = nn2_alloc_guarded((size_t)m_max * n0, sizeof(float));
        p->out = nn2_alloc((size_t)m_max * nL, sizeof(float));
        p->dout = nn2_alloc((size_t)m_max * nL, sizeof(float));
        p->labels = nn2_alloc((size_t)m_max, 1);
        failed |= !(p->x && p->xn && p->out && p->dout && p->labels && p->scratch);
        if (tr->sparse) {
            p->sel = nn2_alloc((size_t)n0 + 16, sizeof(int)); /* nz_cols's spare entries */
            failed |= !p->sel;
        }
        if (tr->rep_ok) failed |= nn2_ws_create(&p->pws, net, m_max, 1, NULL) != NN2_OK;
        if (net->n_layers >= 2 && m_max >= NN2_PACK_MIN_M && net->sizes[1] >= NN2_PACK_MIN_N) {
            const int w = (net->sizes[1] + NN2_PACK_W - 1) / NN2_PACK_W * NN2_PACK_W;
            p->dpk = nn2_alloc((size_t)m_max * (size_t)w, sizeof(float));
            failed |= !p->dpk;
        }
        if (tr->blocked) { /* a block's bias sums, before they are added (step.c) */
            int w = 0;
            for (int l = 1; l <= net->n_layers; l++) w = net->sizes[l] > w ? net->sizes[l] : w;
            p->bacc = nn2_alloc((size_t)w, sizeof(float));
            failed |= !p->bacc;
        }
        if ((tr->lean || tr->rep_ok) && t > 0) {
            p->wout = nn2_alloc(out_block, sizeof(float));
            p->gout = nn2_alloc(out_block, sizeof(float));
            if (tr->vel) p->vout = nn2_alloc(out_block, sizeof(float));
            failed |= !(p->wout && p->gout && (!tr->vel || p->vout));
        }
        if (tr->lean) { /* written on every step by this thread alone: guarded */
            const size_t hidden = (size_t)m_max * tr->ws.ld[1];
            p->hd = nn2_alloc_guarded(hidden, sizeof(float));
            p->gp = nn2_alloc_guarded((size_t)3 * m_max * tr->ldp, sizeof(float));
            p->ha = p->hin = nn2_alloc_guarded(hidden, sizeof(float));
            if (tr->ws.dropped[1]) {
                p->hin = nn2_alloc_guarded(hidden, sizeof(float));
                p->hmask = nn2_alloc_guarded(hidden, sizeof(float));
            }
            failed |= !(p->hd && p->gp && p->ha && p->hin && (!tr->ws.dropped[1] || p->hmask));
        }
        if ((p->cap0 = own0_cap(tr, t)) > 0) {
            p->w0 = nn2_alloc_guarded(p->cap0, sizeof(float));
            p->g0 = nn2_alloc_guarded(p->cap0, sizeof(float));
            if (tr->vel) p->v0 = nn2_alloc_guarded(p->cap0, sizeof(float));
            failed |= !(p->w0 && p->g0 && (!tr->vel || p->v0));
        }
    }
    ok = !failed;
    if (!ok) {
        nn2_trainer_free(tr);
        return nn2_fail(err, NN2_ERR_NOMEM, "out of memory for the training buffers");
    }
    if (plan) { /* shared buffers: interleaved over the NUMA nodes when there are several */
        nn2_plan_interleave(plan, net->params, sizeof(float) * net->n_params);
        nn2_plan_interleave(plan, tr->grads, sizeof(float) * net->n_params);
        if (tr->vel) nn2_plan_interleave(plan, tr->vel, sizeof(float) * net->n_params);
        for (int l = 1; l < net->n_layers; l++) {
            const size_t bytes = sizeof(float) * (size_t)m_max * tr->ws.ld[l];
            nn2_plan_interleave(plan, tr->ws.a[l], bytes);
            nn2_plan_interleave(plan, tr->ws.d[l], bytes);
        }
        if (tr->a_alt) nn2_plan_interleave(plan, tr->a_alt, sizeof(float) * (size_t)m_max * tr->ws.ld[1]);
        if (tr->dropped_alt)
            nn2_plan_interleave(plan, tr->dropped_alt, sizeof(float) * (size_t)m_max * tr->ws.ld[1]);
        for (int h = 0; h < 2 && tr->part[h]; h++)
            nn2_plan_interleave(plan, tr->part[h], sizeof(float) * 2 * (size_t)m_max * tr->ldq);
    }
    return NN2_OK;
}

/* With NN2_PROFILE: each thread's time per phase, to stderr (profile.h). */
static void profile_report(const nn2_trainer *tr)
{
#if NN2_PROFILE
    const double ns = (nn2_now_s() - tr->prof_s0) * 1e9;
    if (!(ns > 0.0) || tr->priv[0].prof.steps == 0) return;
    const double ticks_per_ns = (double)(nn2_prof_now() - tr->prof_tick0) / ns;
    nn2_prof_header(stderr);
    for (int t = 0; t < tr->n_priv; t++) nn2_prof_line(stderr, t, &tr->priv[t].prof, ticks_per_ns);
    if (tr->bal_team > 0) { /* the last balanced share (balance.h) */
        fprintf(stderr, "balance: first-layer units per thread:");
        for (int t = 0; t < tr->bal_team; t++) fprintf(stderr, " %d", tr->bal_cut[t + 1] - tr->bal_cut[t]);
        fprintf(stderr, "\n");
    }
#else
    (void)tr;
#endif
}

void nn2_trainer_free(nn2_trainer *tr)
{
    if (tr->priv) profile_report(tr);
    nn2_ws_free(&tr->ws);
    nn2_free(tr->grads);
    nn2_free(tr->vel);
    nn2_free(tr->a_alt);
    nn2_free(tr->dropped_alt);
    nn2_free(tr->bal_cut);
    for (int h = 0; h < 2; h++) {
        nn2_free_guarded(tr->part[h]);
        nn2_free_guarded(tr->tw[h]);
        nn2_free_guarded(tr->tg[h]);
        nn2_free_guarded(tr->tv[h]);
    }
    nn2_free_guarded(tr->gpart[0]);
    nn2_free_guarded(tr->gpart[1]);
    nn2_free(tr->sout);
    nn2_free(tr->sdout);
    nn2_free(tr->zb);
    for (int q = 0; tr->node_images && q < tr->plan->n_numa; q++)
        nn2_plan_free_copy(tr->plan, tr->node_images[q], tr->image_bytes);
    free(tr->node_images);
    for (int t = 0; tr->priv && t < tr->n_priv; t++) {
        nn2_priv *p = &tr->priv[t];
        float *plain[] = {p->out, p->dout, p->scratch, p->wout, p->gout, p->vout, p->bacc, p->dpk};
        float *guarded[] = {p->x, p->xn, p->ha, p->hmask, p->hd, p->gp, p->w0, p->g0, p->v0,
                            p->hin != p->ha ? p->hin : NULL};
        for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) nn2_free(plain[i]);
        for (size_t i = 0; i < sizeof guarded / sizeof *guarded; i++) nn2_free_guarded(guarded[i]);
        nn2_free(p->labels);
        nn2_free(p->sel);
        nn2_ws_free(&p->pws);
    }
    nn2_free_guarded(tr->priv);
    nn2_bar_free(&tr->bar);
    memset(tr, 0, sizeof *tr);
}

/* Units [j0,j1) of a hidden layer of n that thread t of nt owns: its rank's units
 * (nn2_dist_units), split among the rank's threads at multiples of 16 (nn2_split16). With one
 * rank: nn2_split16(n, nt, t). */
static void own16(const nn2_trainer *tr, int n, int t, int nt, int *j0, int *j1)
{
    int r0, r1, u0, u1;
    nn2_dist_units(n, tr->rank, tr->ranks, &r0, &r1);
    nn2_split16(r1 - r0, nt, t, &u0, &u1);
    *j0 = r0 + u0;
    *j1 = r0 + u1;
}

/* This rank holds the tail (with one rank, whenever there is one). A tail that is the whole
 * layer (2 slices) is held by every rank: each computes all of it, the same bits, so the
 * exchange of the ranks' columns (nn2_dist_units) hands over equal numbers. */
int nn2_trainer_holds_tail(const nn2_trainer *tr)
{
    int r0, r1;
    nn2_dist_units(tr->net->sizes[1], tr->rank, tr->ranks, &r0, &r1);
    return tr->tail && (tr->nm == 0 || (r1 == tr->net->sizes[1] && r0 < r1));
}

/* Whether a team of T threads shares out an in2 first layer (trainer.h) by its two halves of
 * the inputs, each thread all of its units: under rep (the later layers on every thread), so
 * that every thread can compute all of its deltas; else by whole units, each unit's sum the
 * same two halves. */
int nn2_trainer_in2_halves(const nn2_trainer *tr, int T)
{
    return tr->in2 && T >= 2 && tr->rep_ok && rep_pays(tr, T);
}

/* Hidden layer l's work of thread t: units [*j0,*j1) (own16; in the first layer, on the team
 * that the balance is for, its balanced share, bal_cut), and with a tail, which of its
 * halves, [*h0,*h1) of {0, 1}. Then the slices split are the whole ones, and the rank that
 * holds the tail gives each half to the thread with the least work so far (the later thread on
 * ties): 100 units on 2 threads, 48 + a half and 48 + 4 units + a half. */
void nn2_trainer_share(const nn2_trainer *tr, int l, int t, int nt, int *j0, int *j1, int *h0, int *h1)
{
    const int n = tr->net->sizes[l + 1];
    *h0 = *h1 = 0;
    if (l == 0 && nn2_trainer_in2_halves(tr, nt)) { /* half t of the inputs, all units */
        *j0 = *j1 = 0;
        nn2_trainer_halves(t, nt, h0, h1);
        return;
    }
    if (l == 0 && tr->bal_team == nt && nt > 1) { /* shared out by measured speed */
        *j0 = tr->bal_cut[t];
        *j1 = tr->bal_cut[t + 1];
        return;
    }
    if (!tr->tail) {
        own16(tr, n, t, nt, j0, j1);
        return;
    }
    int r0, r1, u0, u1;
    nn2_dist_units(n, tr->rank, tr->ranks, &r0, &r1);
    const int nm = tr->nm, m1 = r1 < nm ? r1 : nm > r0 ? nm : r0; /* other slices: [r0, m1) */
    nn2_split16(m1 - r0, nt, t, &u0, &u1);
    *j0 = r0 + u0;
    *j1 = r0 + u1;
    if (!nn2_trainer_holds_tail(tr)) return;
    int owner[2] = {-1, -1};
    for (int h = 0; h < 2; h++) /* work in half slices: a whole slice is 2, the tail's halves 1 */
        for (int u = 0, best = -1; u < nt; u++) {
            nn2_split16(m1 - r0, nt, u, &u0, &u1);
            const int work = 2 * ((u1 - u0) / 16) + (owner[0] == u);
            if (best < 0 || work <= best) {
                best = work;
                owner[h] = u;
            }
        }
    *h0 = owner[0] == t ? 0 : 1;
    *h1 = owner[1] == t ? 2 : 1;
}

/* The largest team of at most T threads in which every thread owns units of a hidden layer
 * that the team shares out (nn2_trainer_share; under rep the first layer only): in a larger one
 * the other threads have nothing of their own to compute, only the output layer every thread
 * repeats, and they add to every barrier. On the 16-core machine (README, "Thread scaling")
 * [784,30,10], whose layer is two halves, ran 1.6x slower on 16 threads than on 2, and
 * [784,100,10] (6 slices and 2 tail halves) 1.2x slower than on 8. Every team gives the same
 * bits. A hidden layer of one unit is a transposed tail whose half 1 has none: 1 thread
 * ([784,1,10] ran 0.78x as fast on 2). A network without a hidden layer has two halves of its
 * inputs (single, step.c): at most 2. With MPI a rank's threads split its run of slices: T as it is. */
int nn2_trainer_team_cap(const nn2_trainer *tr, int T)
{
    const int hidden = tr->net->n_layers - 1;
    if (tr->single) return T < 2 ? T : 2;
    if (hidden < 1 || tr->ranks > 1) return T;
    for (; T > 1; T--) {
        const int layers = tr->rep_ok && rep_pays(tr, T) ? 1 : hidden;
        int t = 0;
        for (; t < T; t++) {
            int busy = 0;
            for (int l = 0; l < layers && !busy; l++) {
                int j0, j1, h0, h1;
                nn2_trainer_share(tr, l, t, T, &j0, &j1, &h0, &h1);
                busy = j1 > j0;
                for (int h = h0; h < h1 && !busy; h++) /* a transposed tail's half may be empty */
                    busy = !tr->tt || tr->tc[h] > 0;
            }
            if (!busy) break;
        }
        if (t == T) break;
    }
    return T;
}

size_t nn2_trainer_tail_boff(const nn2_trainer *tr, int h)
{
    return (size_t)(tr->tt ? tr->tc[h] : tr->kh) * (size_t)tr->ldh[h];
}

void nn2_trainer_tail_units(const nn2_trainer *tr, int h, int *u0, int *u1)
{
    *u0 = tr->nm + (tr->tt && h ? tr->tc[0] : 0);
    *u1 = tr->tt ? *u0 + tr->tc[h] : tr->net->sizes[1];
}

/* Where the tail's parameter of input row r (r = n_in: its bias) and tail unit u lives in the
 * halves' copies: returns the half, *at the index in it. */
static int tail_at(const nn2_trainer *tr, int r, int u, size_t *at)
{
    const int n_in = tr->net->sizes[0];
    if (tr->tt) {
        const int h = u >= tr->tc[0], v = u - (h ? tr->tc[0] : 0);
        *at = r < n_in ? (size_t)v * tr->ldh[h] + (size_t)r : nn2_trainer_tail_boff(tr, h) + (size_t)v;
        return h;
    }
    const int h = r < n_in && r >= tr->kh, k0 = h ? tr->kh : 0;
    *at = r < n_in ? (size_t)(r - k0) * tr->ldh[h] + (size_t)u : nn2_trainer_tail_boff(tr, 0) + (size_t)u;
    return h;
}

/* The tail's weights (and velocities) into the transposed copies before a parallel region
 * (store = 0), or the copies (and gradients) back into the arenas after it (store = 1). Only
 * the rank that holds the tail has it. */
static void tail_sync(nn2_trainer *tr, int store)
{
    if (!nn2_trainer_holds_tail(tr)) return;
    const nn2_net *net = tr->net;
    const int n_in = net->layer[0].n_in, ldw = net->layer[0].ldw, tn = net->sizes[1] - tr->nm;
    float *arena[3] = {nn2_layer_WT(net, 0), nn2_arena_WT(net, tr->grads, 0),
                       tr->vel ? nn2_arena_WT(net, tr->vel, 0) : NULL};
    for (int q = 0; q < 3; q++) {
        if (!arena[q] || (q == 1 && !store)) continue;
        float *copy[2] = {q == 0 ? tr->tw[0] : q == 1 ? tr->tg[0] : tr->tv[0],
                          q == 0 ? tr->tw[1] : q == 1 ? tr->tg[1] : tr->tv[1]};
        for (int r = 0; r <= n_in; r++) /* row n_in: the biases */
            for (int u = 0; u < tn; u++) {
                float *a = arena[q] + (size_t)r * ldw + tr->nm + u;
                size_t at;
                const int h = tail_at(tr, r, u, &at);
                float *c = copy[h] + at;
                if (store)
                    *a = *c;
                else
                    *c = *a;
            }
    }
}

/* [in, hidden, out] networks on 2 threads of one rank: each thread owns one group of hidden
 * units and the output layer's rows of that group (out_forward). */
int nn2_trainer_rows_owned(const nn2_trainer *tr, int nt)
{
    return tr->lean && tr->ranks == 1 && nt == 2;
}

/* Thread t's units of the first layer, its weights, bias and velocities, between the arena and
 * its own block w0 (v0): loaded at the start of a parallel region of 2 or more threads
 * (store = 0), stored back at its end (store = 1). In the arena, a thread's units of a weight
 * row often share an aligned pair of cache lines with the next thread's, and the L2's
 * adjacent-line prefetcher then moves lines between the cores on every step (measured: the
 * forward product and fused update of 48 of B2's 100 units, 2 threads, 28k TSC cycles per
 * call pair from the arena, 17.4k from separate blocks, 16.7k on one thread alone). The block is
 * the thread's own allocation, first touched by it; its gradients g0 are scratch. */
static void own0_sync(nn2_trainer *tr, int t, int store)
{
    nn2_priv *p = &tr->priv[t];
    const nn2_net *net = tr->net;
    int j0, j1, h0, h1;
    nn2_trainer_share(tr, 0, t, tr->team, &j0, &j1, &h0, &h1);
    const int n = j1 - j0, rows = net->layer[0].n_in + 1, ldw = net->layer[0].ldw;
    if (!store) {
        p->u0 = j0;
        p->ld0 = nn2_round16(n > 0 ? n : 0);
        NN2_ASSERT((size_t)rows * (size_t)p->ld0 <= p->cap0);
    }
    float *arena[2] = {nn2_layer_WT(net, 0), tr->vel ? nn2_arena_WT(net, tr->vel, 0) : NULL};
    float *copy[2] = {p->w0, p->v0};
    for (int q = 0; q < 2 && n > 0; q++) {
        if (!arena[q]) continue;
        for (int r = 0; r < rows; r++) {
            float *a = arena[q] + (size_t)r * ldw + j0, *c = copy[q] + (size_t)r * p->ld0;
            memcpy(store ? a : c, store ? c : a, sizeof(float) * (size_t)n);
        }
    }
}

/* Start of a parallel region (every thread): the thread's binding (one that OpenMP made for
 * this team is not bound yet), the hidden buffers restart at the first of the two, and with
 * one hidden layer, threads other than 0 copy the output layer's parameters (and velocities)
 * from the arenas that thread 0 keeps up to date (not with split_out: all use the arenas). */
static void region_begin(nn2_trainer *tr, int t)
{
    nn2_priv *p = &tr->priv[t];
    if (tr->plan) nn2_plan_bind_self(tr->plan, t);
    p->parity = 0;
    p->episode = 0;
    p->xn_rows = 0;
    p->wscale = tr->wscale;
    if (tr->own0) own0_sync(tr, t, 0);
    if (!p->wout || (!tr->lean && !tr->rep) || tr->split_out) return;
    const nn2_net *net = tr->net;
    const size_t n = net->n_params - net->layer[1].offset;
    memcpy(p->wout, nn2_layer_WT(net, 1), sizeof(float) * n);
    if (p->vout) memcpy(p->vout, nn2_arena_WT(net, tr->vel, 1), sizeof(float) * n);
}

/* End of a parallel region (every thread): its first-layer units back into the arena, and
 * with rows_owned, thread 1 its rows of the output layer (thread 0's copy is the arena). */
static void region_end(nn2_trainer *tr, int t)
{
    if (tr->own0) own0_sync(tr, t, 1);
    const nn2_priv *p = &tr->priv[t];
    if (t == 0) tr->wscale = p->wscale; /* every thread's copy is the same */
    if (t == 0 || !p->wout || !nn2_trainer_rows_owned(tr, tr->team)) return;
    const nn2_net *net = tr->net;
    const size_t ldw = (size_t)net->layer[1].ldw;
    int j[2][2], h0, h1; /* its group, and with tt its half of the tail: rows [j[i][0], j[i][1]) */
    nn2_trainer_share(tr, 0, t, tr->team, &j[0][0], &j[0][1], &h0, &h1);
    j[1][0] = j[1][1] = 0;
    if (tr->tt && h1 > h0) nn2_trainer_tail_units(tr, h0, &j[1][0], &j[1][1]);
    for (int i = 0; i < 2; i++) {
        if (j[i][1] <= j[i][0]) continue;
        const size_t off = (size_t)j[i][0] * ldw, count = (size_t)(j[i][1] - j[i][0]) * ldw;
        memcpy(nn2_layer_WT(net, 1) + off, p->wout + off, sizeof(float) * count);
        if (p->vout) memcpy(nn2_arena_WT(net, tr->vel, 1) + off, p->vout + off, sizeof(float) * count);
    }
}

/* Before a parallel region of T threads (the calling thread): the barrier, the tail's
 * transposed copy, and whether the threads keep their first-layer units in their own blocks. */
static void region_open(nn2_trainer *tr, int T)
{
    nn2_bar_reset(&tr->bar, T);
    tr->team = T;
    tr->rep = tr->rep_ok && T >= 2 && rep_pays(tr, T);
    /* (a layer cut over its inputs, single or in2 by halves, keeps its rows in the arena) */
    tr->own0 = T >= 2 && T <= tr->n_priv && tr->net->n_layers >= 2 && !nn2_trainer_in2_halves(tr, T);
    tr->split_out = tr->split_out_ok && T >= 3;
    tail_sync(tr, 0);
}

/* After it: the tail back into the arena; the arena is again the only copy of everything. */
static void region_close(nn2_trainer *tr)
{
    tail_sync(tr, 1);
    tr->bal_on = 0; /* (nn2_train_run's bal_prepare sets it for each of its regions) */
    tr->own0 = 0;
    tr->rep = 0;
    tr->split_out = 0;
}

void nn2_train_batch(nn2_trainer *tr, const uint32_t *idx, size_t base, int mb, size_t n,
                     double eta, int epoch, int threads)
{
    nn2_optim o;
    nn2_optim_setup(&o, tr->k, tr->cfg, eta, n, mb);
    int T = nn2_threads_resolve(threads);
    if (T > tr->n_priv) T = tr->n_priv;
    region_open(tr, T);
#pragma omp parallel num_threads(T)
    {
        region_begin(tr, omp_get_thread_num());
        nn2_trainer_minibatch(tr, idx, base, mb, epoch, &o, omp_get_thread_num(), omp_get_num_threads(), 0);
        region_end(tr, omp_get_thread_num());
    }
    region_close(tr);
    nn2_trainer_settle(tr);
}

void nn2_trainer_settle(nn2_trainer *tr)
{
    if (tr->wscale == 1.0) return;
    const nn2_net *net = tr->net;
    /* the factor the forward pass used, on the weights only (the bias row after them) */
    nn2_scale_bias(net->layer[0].n_in, net->layer[0].n_out, nn2_layer_WT(net, 0), net->layer[0].ldw,
                   (float)tr->wscale, NULL);
    tr->wscale = 1.0;
}

void nn2_train_grads(nn2_trainer *tr, const uint32_t *idx, int m)
{
    nn2_trainer_settle(tr); /* the gradient of the network's weights as they are */
    region_open(tr, 1);
    region_begin(tr, 0);
    NN2_ASSERT(m <= tr->m_max);
    nn2_trainer_step(tr, idx, 0, m, 0, NULL, 0, 1, 0);
    region_close(tr);
}

double nn2_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Batches [b0, b1) with a team of T threads, in one parallel region (nn2_train_run). */
static void train_region(nn2_trainer *tr, const nn2_config *cfg, const uint32_t *perm, size_t n, int m,
                         size_t b0, size_t b1, double eta, int epoch, int T)
{
    region_open(tr, T);
#pragma omp parallel num_threads(T)
    {
        region_begin(tr, omp_get_thread_num());
        double t1 = 0; /* (thread 0: after the region's first step) */
        size_t bi = b0;
        for (; bi < b1; bi++) {
            if (bi == b0 + 1 && omp_get_thread_num() == 0) t1 = nn2_now_s();
            /* several ranks: the stop is agreed on at the end of the epoch instead */
            if (cfg->stop && tr->ranks == 1 && omp_get_thread_num() == 0 && *cfg->stop)
                tr->stop_after = (long)bi;
            const size_t base = bi * (size_t)m;
            const int mb = n - base < (size_t)m ? (int)(n - base) : m;
            nn2_optim o;
            nn2_optim_setup(&o, tr->k, cfg, eta, n, mb);
            const size_t next = n - base - (size_t)mb < (size_t)m ? n - base - (size_t)mb : (size_t)m;
            nn2_trainer_minibatch(tr, perm, base, mb, epoch, &o, omp_get_thread_num(), omp_get_num_threads(), next);
            if (cfg->on_progress && omp_get_thread_num() == 0 && (bi % 64 == 63))
                cfg->on_progress(epoch, base + (size_t)mb, n, cfg->user);
            if (tr->stop_after == (long)bi) break;
        }
        if (omp_get_thread_num() == 0 && t1 > 0) { /* steps b0 + 1 .. bi (the last one run) */
            tr->steady_s += nn2_now_s() - t1;
            tr->steady_steps += (long)(bi < b1 ? bi + 1 : bi) - (long)b0 - 1;
        }
        region_end(tr, omp_get_thread_num());
    }
    region_close(tr);
}

#define BAL_FIRST 32 /* steps timed on the even share before a region is balanced */
#define BAL_MIN_STEPS 16 /* steps of a measurement that the balance uses */
#define BAL_GAIN 0.97    /* a new share is taken when its slowest thread needs < 0.97x the time */

/* Before a region of T threads (the calling thread): whether its threads time their first-layer
 * work (bal_on: teams that bal_may, on which every thread owns first-layer units by itself:
 * lean networks, or rep), and the share they run: the even one when the team is new (returns
 * 1: then a first region of BAL_FIRST steps measures it), else the one that the threads' times
 * per slice in the regions since the last change predict to be faster by BAL_GAIN. */
static int bal_prepare(nn2_trainer *tr, int T)
{
    const nn2_net *net = tr->net;
    tr->bal_on = bal_may(tr, T) && (tr->lean || (tr->rep_ok && rep_pays(tr, T)));
    const int n = net->sizes[1], S = (n + 15) / 16;
    tr->bal_on = tr->bal_on && S >= T;
    if (!tr->bal_on) {
        tr->bal_team = 0;
        return 0;
    }
    int *cnt = malloc(sizeof(int) * 3 * (size_t)T);
    double *c = malloc(sizeof(double) * (size_t)T);
    if (!cnt || !c) { /* no memory for these few numbers: the even share */
        free(cnt);
        free(c);
        tr->bal_on = 0;
        tr->bal_team = 0;
        return 0;
    }
    int *cap = cnt + T, *nw = cap + T; /* (no arithmetic on a null pointer) */
    long steps = tr->priv[0].bal_steps;
    for (int t = 0; t < T; t++) {
        steps = tr->priv[t].bal_steps < steps ? tr->priv[t].bal_steps : steps;
        cnt[t] = (tr->bal_cut[t + 1] - tr->bal_cut[t] + 15) / 16;
        cap[t] = (int)(tr->priv[t].cap0 / (size_t)(net->sizes[0] + 1) / 16);
    }
    int fresh = tr->bal_team != T;
    if (!fresh && (steps >= BAL_MIN_STEPS || tr->bal_mode == 2)) {
        for (int t = 0; t < T; t++)
            c[t] = tr->bal_mode == 2 ? 1.0 + t % 3 : ((double)tr->priv[t].bal_ticks + 1.0) / (double)steps / cnt[t];
        nn2_balance_counts(S, T, c, cap, nw);
        if (nn2_balance_time(T, c, nw) < BAL_GAIN * nn2_balance_time(T, c, cnt))
            for (int t = 0, u = 0; t < T; t++) {
                u += 16 * nw[t];
                tr->bal_cut[t + 1] = u < n ? u : n;
            }
    } else if (fresh) { /* the even share */
        for (int t = 0; t <= T; t++) tr->bal_cut[t] = nn2_cut16(n, T, t);
        tr->bal_team = T;
    }
    free(cnt);
    free(c);
    if (!fresh && steps < BAL_MIN_STEPS && tr->bal_mode != 2)
        return 0; /* too few steps measured: go on with this share, and its times */
    for (int t = 0; t < T; t++) {
        tr->priv[t].bal_ticks = 0;
        tr->priv[t].bal_steps = 0;
    }
    return fresh;
}

/* Batches [b0, b1) of an epoch with a team of T threads; returns the seconds taken. When
 * cfg->stop is raised, thread 0 marks the mini-batch it is starting; every thread sees the mark
 * after that step's barriers and leaves after it (tr->stop_after). Under the balance
 * (bal_prepare) a new team's steps run in regions of BAL_FIRST, 4 BAL_FIRST, 16 BAL_FIRST, ...
 * steps while at least twice that many are left, each on the share that the one before it
 * measured, then the rest in one region (nn2-bench trains each epoch with a new trainer; nn2
 * train's later epochs start from the share of the one before, in one region). */
double nn2_train_run(nn2_trainer *tr, const nn2_config *cfg, const uint32_t *perm, size_t n, int m,
                     size_t b0, size_t b1, double eta, int epoch, int T)
{
    const double t0 = nn2_now_s();
    tr->steady_s = 0;
    tr->steady_steps = 0;
    size_t c0 = b0, chunk = bal_prepare(tr, T) ? BAL_FIRST : 0;
    do {
        size_t c1 = b1;
        if (chunk && b1 - c0 >= 2 * chunk)
            c1 = c0 + chunk;
        else
            chunk = 0;
        train_region(tr, cfg, perm, n, m, c0, c1, eta, epoch, T);
        c0 = c1;
        if (chunk) { /* a share from that region's times, measured for 4 times as long */
            bal_prepare(tr, T);
            chunk *= 4;
        }
    } while (c0 < b1 && tr->stop_after < 0);
    /* the end of the epoch (also when stopped after its last mini-batch) */
    if (b1 == (n + (size_t)m - 1) / (size_t)m && (tr->stop_after < 0 || tr->stop_after == (long)b1 - 1))
        nn2_trainer_settle(tr);
    return nn2_now_s() - t0;
}

