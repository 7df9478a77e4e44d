/* parallel.c: the OpenMP thread policy and the parallel evaluation pass (training's parallel
 * region lives in train.c). Work is split by samples; per-sample results land in per-sample
 * slots, so any thread count gives the same numbers. */
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>

#include "parallel.h"

#define EVAL_BLOCK 256

void nn2_bar_reset(nn2_bar *b, int team)
{
    b->spins = team > omp_get_num_procs() ? 16 : 4000;
    atomic_store_explicit(&b->count, 0, memory_order_relaxed);
    atomic_store_explicit(&b->sense, 0, memory_order_relaxed);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

void nn2_bar_wait(nn2_bar *b, int n, int *local_sense)
{
    if (n <= 1) return;
    const int s = !*local_sense;
    *local_sense = s;
    if (atomic_fetch_add_explicit(&b->count, 1, memory_order_acq_rel) == n - 1) {
        atomic_store_explicit(&b->count, 0, memory_order_relaxed);
        atomic_store_explicit(&b->sense, s, memory_order_release);
        return;
    }
    for (unsigned spins = 0; atomic_load_explicit(&b->sense, memory_order_acquire) != s; spins++) {
        if (spins < b->spins) cpu_relax();
        else sched_yield();
    }
}

int nn2_threads_resolve(int requested)
{
    if (requested > 0) return requested;
    const int n = omp_get_max_threads();
    return n > 0 ? n : 1;
}

nn2_status nn2_par_eval(const nn2_net *net, const nn2_dataset *data, int threads, double *cost,
                        uint8_t *correct, nn2_error *err)
{
    const nn2_kernels *k = nn2_kernels_get();
    const int T = nn2_threads_resolve(threads), L = net->n_layers, n_out = net->sizes[L];
    const int n = (int)data->count;
    nn2_status st = NN2_OK;
#pragma omp parallel num_threads(T)
    {
        nn2_ws ws;
        nn2_error lerr;
        const nn2_status lst = nn2_ws_create(&ws, net, EVAL_BLOCK, 0, &lerr);
        int s0, s1;
        nn2_split(n, omp_get_num_threads(), omp_get_thread_num(), &s0, &s1);
        if (lst != NN2_OK) {
#pragma omp critical(nn2_eval_err)
            {
                st = lst;
                if (err) *err = lerr;
            }
        } else {
            for (int b = s0; b < s1; b += EVAL_BLOCK) {
                const int rows = s1 - b < EVAL_BLOCK ? s1 - b : EVAL_BLOCK;
                nn2_load_rows(k, ws.a[0], ws.ld[0], data, NULL, (size_t)b, 0, rows);
                nn2_forward_rows(k, net, &ws, 0, rows);
                for (int r = 0; r < rows; r++) {
                    const int label = nn2_data_label(data, (size_t)(b + r));
                    cost[b + r] = nn2_cost_value(&net->arch, &ws, n_out, r, label);
                    correct[b + r] = nn2_argmax_row(&ws, n_out, r) == label;
                }
            }
            nn2_ws_free(&ws);
        }
    }
    return st;
}
