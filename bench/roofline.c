/* roofline.c: what bounds a training step, measured on this machine in the benchmark's run: the
 * cost of an OpenMP barrier, each core's bandwidth for a weight update streamed through its L2
 * (read and write), and the memory bandwidth (read), all at a given thread count. nn2-bench
 * sets them against each configuration's FLOPs and bytes per step (see nn2_bench.c). */
#include <math.h>
#include <sched.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "parallel.h"
#include "placement.h"
#include "roofline.h"

/* Each measurement's team is placed as training places it (compact: thread t on core t), not
 * left where earlier runs bound the threads: after a 1-thread run the master was bound to one
 * core, a new team inherited that, and the hand-over ping-pong then ran both threads on one
 * core (hours instead of a second). The plan restores the master's binding when freed. */
typedef struct {
    nn2_plan plan;
    int ok;
} team_place;

static void place_make(team_place *tp, int threads)
{
    nn2_error err;
    tp->ok = nn2_plan_make(&tp->plan, threads, NN2_BIND_COMPACT, NULL, &err) == NN2_OK;
}

static void place_self(const team_place *tp)
{
    if (tp->ok) nn2_plan_bind_self(&tp->plan, omp_get_thread_num());
}

static void place_free(team_place *tp)
{
    if (tp->ok) nn2_plan_free(&tp->plan);
}

float nn2_bench_stream_avx512(float *buf, long n, int write);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double median5(double *v)
{
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++)
            if (v[j] < v[i]) {
                const double t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
    return v[2];
}

double nn2_roof_barrier_us(int threads, int gomp)
{
    enum { N = 100000 };
    nn2_bar bar;
    if (!nn2_bar_init(&bar, threads)) return NAN;
    double runs[5];
    team_place tp;
    place_make(&tp, threads);
    for (int r = 0; r < 5; r++) {
        double t0 = 0, t1 = 0;
        nn2_bar_reset(&bar, threads);
#pragma omp parallel num_threads(threads)
        {
            place_self(&tp);
            unsigned episode = 0;
            const int nt = omp_get_num_threads();
            for (int i = 0; i < 1000 + N; i++) {
                if (i == 1000 && omp_get_thread_num() == 0) t0 = now();
                if (gomp) {
#pragma omp barrier
                } else {
                    nn2_bar_wait(&bar, omp_get_thread_num(), nt, &episode);
                }
            }
            if (omp_get_thread_num() == 0) t1 = now();
        }
        runs[r] = (t1 - t0) / N * 1e6;
    }
    place_free(&tp);
    nn2_bar_free(&bar);
    return median5(runs);
}

double nn2_roof_handoff_probe_ns(int round_trips)
{
    static _Alignas(64) _Atomic int flag;
    double t0 = 0, t1 = 0;
    team_place tp;
    place_make(&tp, 2);
    atomic_store(&flag, 0);
#pragma omp parallel num_threads(2)
    {
        place_self(&tp);
        const int t = omp_get_thread_num();
        if (omp_get_num_threads() == 2) {
#pragma omp barrier
            if (t == 0) t0 = now();
            for (int i = 0; i < round_trips; i++) { /* thread 0 turns 2i into 2i+1, thread 1 2i+1 into 2i+2 */
                const int want = 2 * i + t;
                /* (yielding now and then: one core, or two threads on one, still finish) */
                for (unsigned spin = 1; atomic_load_explicit(&flag, memory_order_acquire) != want; spin++)
                    if (spin % 65536 == 0) sched_yield();
                atomic_store_explicit(&flag, want + 1, memory_order_release);
            }
            if (t == 0) t1 = now();
        }
    }
    place_free(&tp);
    return t1 > t0 ? (t1 - t0) / (2.0 * round_trips) * 1e9 : NAN;
}

double nn2_roof_handoff_ns(void)
{
    double runs[5];
    for (int r = 0; r < 5; r++) runs[r] = nn2_roof_handoff_probe_ns(200000);
    return median5(runs);
}

/* Nanoseconds per line of following the chain of n lines (64 bytes apart) stored in buf, from
 * line 0: each line holds the index of the next, in a random order (a pointer chase: one
 * line's latency at a time). */
static double chase_ns(const char *buf, size_t n)
{
    size_t i = 0;
    const double t0 = now();
    for (size_t k = 0; k < n; k++) i = *(const size_t *)(const void *)(buf + i * 64);
    const double t = now() - t0;
    volatile size_t sink = i;
    (void)sink;
    return t / (double)n * 1e9;
}

double nn2_roof_shared_read_ns(double *own_ns)
{
    enum { BYTES = 8 << 20, LINES = BYTES / 64 };
    char *buf = aligned_alloc(4096, BYTES);
    size_t *perm = malloc(sizeof(size_t) * LINES);
    if (!buf || !perm) {
        free(buf);
        free(perm);
        return NAN;
    }
    uint64_t x = 0x9E3779B97F4A7C15ULL; /* a fixed shuffle (xorshift64) */
    for (size_t i = 0; i < LINES; i++) perm[i] = i;
    for (size_t i = LINES - 1; i > 0; i--) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const size_t j = (size_t)(x % (i + 1)), t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    double own[5], other[5];
    team_place tp;
    place_make(&tp, 2);
#pragma omp parallel num_threads(2)
    {
        place_self(&tp);
        const int t = omp_get_thread_num(), two = omp_get_num_threads() == 2;
        for (int r = 0; r < 10; r++) { /* 0-4: the writer follows the chain, 5-9: the other */
            if (t == 0) /* thread 0 writes the chain: the lines are in its caches */
                for (size_t k = 0; k < LINES; k++)
                    *(size_t *)(void *)(buf + perm[k] * 64) = perm[(k + 1) % LINES];
            if (r < 5 && t == 0) own[r] = chase_ns(buf, LINES);
#pragma omp barrier
            if (r >= 5 && (t == 1 || !two)) other[r - 5] = two ? chase_ns(buf, LINES) : NAN;
#pragma omp barrier
        }
    }
    place_free(&tp);
    free(perm);
    free(buf);
    if (own_ns) *own_ns = median5(own);
    return median5(other);
}

/* Aggregate GB/s of `threads` threads, each streaming its own buffer of n floats reps times. */
static double stream_gbs(int threads, long n, int reps, int write)
{
    double runs[5];
    volatile float sink = 0;
    team_place tp;
    place_make(&tp, threads);
    for (int r = 0; r < 5; r++) {
        double t0 = 0, t1 = 0;
#pragma omp parallel num_threads(threads)
        {
            place_self(&tp);
            float *buf = aligned_alloc(64, sizeof(float) * (size_t)n);
            if (buf) {
                for (long i = 0; i < n; i++) buf[i] = 1.0f;
                sink += nn2_bench_stream_avx512(buf, n, write); /* warm */
            }
#pragma omp barrier
#pragma omp master
            t0 = now();
            for (int k = 0; buf && k < reps; k++) sink += nn2_bench_stream_avx512(buf, n, write);
#pragma omp barrier
#pragma omp master
            t1 = now();
            free(buf);
        }
        runs[r] = (double)threads * reps * n * sizeof(float) * (write ? 2 : 1) / (t1 - t0) / 1e9;
    }
    (void)sink;
    place_free(&tp);
    return median5(runs);
}

double nn2_roof_l2_gbs(int threads) { return stream_gbs(threads, 256 * 1024 / 4, 2000, 1); }

double nn2_roof_mem_gbs(int threads) { return stream_gbs(threads, 256L * 1024 * 1024 / 4, 2, 0); }
