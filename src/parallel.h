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
/* Forward pass over every sample of data with T threads: per-sample cost (network2's cost.fn)
 * into cost[i] and correctness (argmax == label) into correct[i]. Results do not depend on T. */
nn2_status nn2_par_eval(const nn2_net *net, const nn2_dataset *data, int threads, double *cost,
                        uint8_t *correct, nn2_error *err);

#endif
