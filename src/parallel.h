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
/* A barrier for the threads of a training team: libgomp's `omp barrier` makes a futex system
 * call on every episode (about 1 us here, even for a team of one), more than some whole training
 * steps' compute. This one is a counter and a sense flag on their own cache lines: arrivals
 * count in (acquire-release), the last resets the count and flips the sense (release), the
 * others spin on it (acquire) with a pause, then yield; a team with more threads than
 * processors yields almost at once (a spinning thread would hold the core its peer needs).
 * Reset it (nn2_bar_reset, with the team size) before the parallel region, and start each
 * thread's sense at 0. */
typedef struct nn2_bar {
    _Alignas(64) _Atomic int count;
    _Alignas(64) _Atomic int sense;
    unsigned spins; /* pauses before yielding */
} nn2_bar;
void nn2_bar_reset(nn2_bar *b, int team);
/* Wait until all n threads have arrived (n <= 1: returns at once). */
void nn2_bar_wait(nn2_bar *b, int n, int *local_sense);

/* Forward pass over every sample of data with T threads: per-sample cost (network2's cost.fn)
 * into cost[i] and correctness (argmax == label) into correct[i]. Results do not depend on T. */
nn2_status nn2_par_eval(const nn2_net *net, const nn2_dataset *data, int threads, double *cost,
                        uint8_t *correct, nn2_error *err);

#endif
