/* parallel.h: thread-count policy, work splitting, and the parallel evaluation pass. */
#ifndef NN2_PARALLEL_H
#define NN2_PARALLEL_H

#include "layers.h"

/* requested > 0: that many; 0: OMP_NUM_THREADS if set, else every core (omp_get_max_threads). */
int nn2_threads_resolve(int requested);
/* Contiguous balanced share [*b, *e) of n items for part t of parts. */
static inline void nn2_split(int n, int parts, int t, int *b, int *e)
{
    *b = (int)((long long)n * t / parts);
    *e = (int)((long long)n * (t + 1) / parts);
}
/* Part t of parts of n units, [*b, *e), cut at multiples of 16 (whole cache lines of a weight
 * row): each boundary is the multiple of 16 nearest to t*n/parts, so the units, not just the
 * 16-unit slices, are balanced (100 units on 2 threads: 48 + 52, not 64 + 36). */
static inline int nn2_cut16(int n, int parts, int t)
{
    if (t >= parts) return n;
    const int c = (int)(((long long)n * t + 8LL * parts) / (16LL * parts)) * 16;
    return c < n ? c : n;
}
static inline void nn2_split16(int n, int parts, int t, int *b, int *e)
{
    *b = nn2_cut16(n, parts, t);
    *e = nn2_cut16(n, parts, t + 1);
}
/* A barrier for the threads of a training team. libgomp's `omp barrier` makes a futex system
 * call on every episode (about 1 us here, even for a team of one), more than some whole training
 * steps' compute. This one is a dissemination barrier: in round r, thread t raises a flag of
 * thread t + 2^r (mod n) to the episode number (release) and waits for its own flag of round r
 * to reach it (acquire), ceil(log2 n) rounds; each flag on its own cache line, so a round costs
 * one cache-line hand-over between two cores. Waiting spins with a pause, then yields; a team
 * with more threads than processors yields almost at once. nn2_bar_reset (with the team size)
 * before each parallel region, and each thread's episode starts at 0. */
#define NN2_BAR_ROUNDS 16 /* up to 65536 threads */
typedef struct nn2_bar {
    _Atomic unsigned *flag; /* (n_max * NN2_BAR_ROUNDS) flags, 16 unsigned (64 bytes) apart */
    int n_max;
    unsigned spins; /* pauses before yielding */
} nn2_bar;
/* For teams of up to n_max threads; returns 0 when out of memory. */
int nn2_bar_init(nn2_bar *b, int n_max);
void nn2_bar_free(nn2_bar *b);
void nn2_bar_reset(nn2_bar *b, int team);
/* Thread t of n waits until all n have arrived (n <= 1: returns at once). */
void nn2_bar_wait(nn2_bar *b, int t, int n, unsigned *episode);
/* nn2_bar_wait in two parts, with work between them that neither needs the others' work before
 * the barrier nor is needed by it: nn2_bar_arrive raises the first round's flag, nn2_bar_finish
 * waits (and does the later rounds). The flag's hand-over to the other core overlaps the work. */
void nn2_bar_arrive(nn2_bar *b, int t, int n, unsigned *episode);
void nn2_bar_finish(nn2_bar *b, int t, int n, const unsigned *episode);

/* The buffers of evaluation passes over one network, kept from pass to pass by a caller that
 * evaluates it again and again (nn2_train, every epoch): each thread's workspace and list of
 * non-zero inputs, allocated (and first touched) by that thread in its first pass, and the
 * per-sample results. Made anew for every pass, they cost the default run about 2 ms of page
 * faults a pass on this VM (glibc hands the freed memory back, and each pass faults it in again:
 * README, "Design"). Start from {0}; nn2_eval_bufs_free releases them. */
typedef struct nn2_eval_bufs {
    int n_layers, sizes[NN2_MAX_LAYERS + 1]; /* the network's shape they fit */
    int T;                                   /* thread slots in ws and sel */
    nn2_ws *ws;                              /* ws[t].rows == 0: not allocated yet */
    int **sel;
    double *cost;     /* per sample, cost_cap of them */
    uint8_t *correct; /* per sample, correct_cap of them */
    size_t cost_cap, correct_cap;
} nn2_eval_bufs;
void nn2_eval_bufs_free(nn2_eval_bufs *b);

/* Forward pass over every sample of data with T threads: per-sample cost (network2's cost.fn)
 * into cost[i] (unless cost is NULL), correctness (argmax == label) into correct[i] and, unless
 * label is NULL, the argmax into label[i], in keep's workspaces (made on first use) or, with
 * keep NULL, in workspaces of this pass alone. Results do not depend on T, nor on keep. */
nn2_status nn2_par_eval(const nn2_net *net, const nn2_dataset *data, int threads, double *cost,
                        uint8_t *correct, int *label, nn2_eval_bufs *keep, nn2_error *err);
/* The same pass without labels (nn2_predict): the index of each sample's largest output into
 * label[i] and, unless out is NULL, its outputs into out[i * n_out .. (i + 1) * n_out). */
nn2_status nn2_par_predict(const nn2_net *net, const nn2_dataset *data, int threads, int *label,
                           float *out, nn2_error *err);
/* nn2_evaluate (with_cost) or nn2_evaluate_accuracy, with keep's buffers (NULL: its own); with
 * label not NULL, also each sample's answer (nn2_evaluate_labels). */
nn2_status nn2_eval_run(const nn2_net *net, const nn2_dataset *data, double lambda, int threads,
                        int with_cost, int *label, nn2_eval_bufs *keep, nn2_eval_result *out,
                        nn2_error *err);

#endif
