/* parallel.c: the OpenMP thread policy and the parallel evaluation pass (training's parallel
 * region lives in train.c). Work is split by samples; per-sample results land in per-sample
 * slots, so any thread count gives the same numbers. */
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"

#define EVAL_BLOCK 256

#define FLAG(b, t, r) (b)->flag[((size_t)(t) * NN2_BAR_ROUNDS + (size_t)(r)) * 16]

/* Processors this process may use, as first seen: while nn2 trains, its threads are bound, and
 * omp_get_num_procs() then reports one for the bound master that calls nn2_bar_reset. */
static int processors(void)
{
    static _Atomic int seen;
    int n = atomic_load_explicit(&seen, memory_order_relaxed);
    if (n == 0) {
        n = omp_get_num_procs();
        atomic_store_explicit(&seen, n, memory_order_relaxed);
    }
    return n;
}

int nn2_bar_init(nn2_bar *b, int n_max)
{
    (void)processors();
    b->n_max = n_max > 0 ? n_max : 1;
    b->flag = nn2_alloc_guarded((size_t)b->n_max * NN2_BAR_ROUNDS * 16, sizeof(unsigned));
    b->spins = 4000;
    return b->flag != NULL;
}

void nn2_bar_free(nn2_bar *b)
{
    nn2_free_guarded((void *)b->flag);
    b->flag = NULL;
}

void nn2_bar_reset(nn2_bar *b, int team)
{
    b->spins = team > processors() ? 16 : 4000;
    for (int t = 0; t < b->n_max; t++)
        for (int r = 0; r < NN2_BAR_ROUNDS; r++) atomic_store_explicit(&FLAG(b, t, r), 0u, memory_order_relaxed);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

void nn2_bar_arrive(nn2_bar *b, int t, int n, unsigned *episode)
{
    if (n <= 1) return;
    atomic_store_explicit(&FLAG(b, (t + 1) % n, 0), ++*episode, memory_order_release);
}

void nn2_bar_finish(nn2_bar *b, int t, int n, const unsigned *episode)
{
    if (n <= 1) return;
    const unsigned e = *episode;
    for (int r = 0, d = 1; d < n; r++, d *= 2) {
        if (r > 0) atomic_store_explicit(&FLAG(b, (t + d) % n, r), e, memory_order_release);
        /* the flag may already hold e + 1: its writer can be one episode ahead, never two */
        for (unsigned spins = 0; (int)(atomic_load_explicit(&FLAG(b, t, r), memory_order_acquire) - e) < 0; spins++) {
            if (spins < b->spins) cpu_relax();
            else sched_yield();
        }
    }
}

void nn2_bar_wait(nn2_bar *b, int t, int n, unsigned *episode)
{
    nn2_bar_arrive(b, t, n, episode);
    nn2_bar_finish(b, t, n, episode);
}

int nn2_threads_resolve(int requested)
{
    if (requested > 0) return requested;
    const int n = omp_get_max_threads();
    return n > 0 ? n : 1;
}

/* The threads' slots of b and what they hold (not the per-sample results). */
static void free_slots(nn2_eval_bufs *b)
{
    for (int t = 0; t < b->T; t++) {
        if (b->ws[t].rows) nn2_ws_free(&b->ws[t]);
        free(b->sel[t]);
    }
    free(b->ws);
    free(b->sel);
    b->ws = NULL;
    b->sel = NULL;
    b->T = 0;
}

void nn2_eval_bufs_free(nn2_eval_bufs *b)
{
    free_slots(b);
    free(b->cost);
    free(b->correct);
    memset(b, 0, sizeof *b);
}

/* keep ready for T threads of net: its slots made (the workspaces come later, in the threads),
 * after releasing those of another shape or fewer threads. 0: out of memory. */
static int bufs_fit(nn2_eval_bufs *b, const nn2_net *net, int T)
{
    int same = b->ws && b->T >= T && b->n_layers == net->n_layers;
    for (int l = 0; same && l <= net->n_layers; l++) same = b->sizes[l] == net->sizes[l];
    if (same) return 1;
    free_slots(b);
    b->ws = calloc((size_t)T, sizeof *b->ws);
    b->sel = calloc((size_t)T, sizeof *b->sel);
    if (!b->ws || !b->sel) {
        free(b->ws);
        free(b->sel);
        b->ws = NULL;
        b->sel = NULL;
        return 0;
    }
    b->T = T;
    b->n_layers = net->n_layers;
    for (int l = 0; l <= net->n_layers; l++) b->sizes[l] = net->sizes[l];
    return 1;
}

/* The forward pass of nn2_par_eval and nn2_par_predict: each of cost, correct, label and out
 * filled unless NULL (cost and correct read the labels, label and out do not). */
static nn2_status par_pass(const nn2_net *net, const nn2_dataset *data, int threads, double *cost,
                           uint8_t *correct, int *label, float *out, nn2_eval_bufs *keep,
                           nn2_error *err)
{
    const nn2_kernels *k = nn2_kernels_get();
    const int T = nn2_threads_resolve(threads), L = net->n_layers, n_out = net->sizes[L];
    const int n = (int)data->count;
    if (keep && !bufs_fit(keep, net, T)) return nn2_fail(err, NN2_ERR_NOMEM, "out of memory for evaluation");
    nn2_status st = NN2_OK;
#pragma omp parallel num_threads(T)
    {
        const int t = omp_get_thread_num();
        nn2_ws own, *ws = keep ? &keep->ws[t] : &own;
        int *own_sel = NULL, **sel = keep ? &keep->sel[t] : &own_sel;
        nn2_error lerr;
        nn2_status lst = NN2_OK;
        if (!keep || ws->rows == 0) {
            lst = nn2_ws_create(ws, net, EVAL_BLOCK, 0, &lerr);
            /* the list of the first hidden layer's non-zero inputs (used when sparse) */
            if (lst == NN2_OK && L >= 2 && !(*sel = malloc(sizeof(int) * ((size_t)net->sizes[0] + 16)))) {
                lst = nn2_fail(&lerr, NN2_ERR_NOMEM, "out of memory for evaluation");
                nn2_ws_free(ws);
            }
            if (lst != NN2_OK) memset(ws, 0, sizeof *ws); /* not made: made again next time */
        }
        int s0, s1;
        nn2_split(n, omp_get_num_threads(), t, &s0, &s1);
        if (lst != NN2_OK) {
#pragma omp critical /* unnamed: a named one is a global symbol of libnn2.so */
            {
                st = lst;
                if (err) *err = lerr;
            }
        } else {
            int *xs = L >= 2 && nn2_sparse_on(k) ? *sel : NULL; /* the first hidden layer over a list */
            for (int b = s0; b < s1; b += EVAL_BLOCK) {
                const int rows = s1 - b < EVAL_BLOCK ? s1 - b : EVAL_BLOCK;
                nn2_load_rows(k, ws->a[0], ws->ld[0], data, NULL, (size_t)b, 0, rows);
                nn2_forward_rows(k, net, ws, 0, rows, xs);
                for (int r = 0; r < rows; r++) {
                    const size_t i = (size_t)b + (size_t)r;
                    const int best = nn2_argmax_row(ws, n_out, r);
                    if (label) label[i] = best;
                    if (out) memcpy(out + i * (size_t)n_out, ws->a[L] + (size_t)r * ws->ld[L], sizeof(float) * (size_t)n_out);
                    if (!cost && !correct) continue;
                    const int y = nn2_data_label(data, i);
                    if (cost) cost[i] = nn2_cost_value(&net->arch, ws, n_out, r, y);
                    if (correct) correct[i] = best == y;
                }
            }
            if (!keep) {
                nn2_ws_free(ws);
                free(own_sel);
            }
        }
    }
    return st;
}

nn2_status nn2_par_eval(const nn2_net *net, const nn2_dataset *data, int threads, double *cost,
                        uint8_t *correct, int *label, nn2_eval_bufs *keep, nn2_error *err)
{
    return par_pass(net, data, threads, cost, correct, label, NULL, keep, err);
}

nn2_status nn2_par_predict(const nn2_net *net, const nn2_dataset *data, int threads, int *label,
                           float *out, nn2_error *err)
{
    return par_pass(net, data, threads, NULL, NULL, label, out, NULL, err);
}
