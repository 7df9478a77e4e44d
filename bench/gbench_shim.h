/* gbench_shim.h: Google Benchmark for C. Register a C function as a benchmark with arguments,
 * run its timing loop, report counters (FLOP/s, bytes/s) as rates. The implementation is the
 * only C++ in nn2 (bench/gbench_shim.cc). */
#ifndef NN2_GBENCH_SHIM_H
#define NN2_GBENCH_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nn2_bstate nn2_bstate; /* a benchmark::State */
typedef void (*nn2_bfn)(nn2_bstate *st, void *arg);

/* Register fn(st, arg) under name, once per row of args (n_rows rows of n_args longs). */
void nn2_bench_register(const char *name, nn2_bfn fn, void *arg, const long *args, int n_rows,
                        int n_args);
/* The timing loop: while (nn2_bench_keep_running(st)) { ... }. */
int nn2_bench_keep_running(nn2_bstate *st);
long nn2_bench_arg(nn2_bstate *st, int i);
/* A counter reported as a rate: value per iteration, divided by the time per iteration. */
void nn2_bench_rate(nn2_bstate *st, const char *name, double per_iteration);
void nn2_bench_skip(nn2_bstate *st, const char *why);
void nn2_bench_pause(nn2_bstate *st);
void nn2_bench_resume(nn2_bstate *st);
/* Parse the benchmark flags (--benchmark_filter=...) and run everything registered. */
int nn2_bench_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
