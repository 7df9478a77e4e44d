// gbench_shim.cc: the C interface of bench/gbench_shim.h on top of Google Benchmark.
#include "gbench_shim.h"

#include <benchmark/benchmark.h>

#include <string>

struct nn2_bstate {
    benchmark::State *st;
};

extern "C" void nn2_bench_register(const char *name, nn2_bfn fn, void *arg, const long *args,
                                   int n_rows, int n_args)
{
    benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
        name, [fn, arg](benchmark::State &st) {
            nn2_bstate s{&st};
            fn(&s, arg);
        });
    for (int r = 0; r < n_rows; r++) {
        std::vector<int64_t> row(args + (size_t)r * n_args, args + (size_t)(r + 1) * n_args);
        b->Args(row);
    }
    b->Unit(benchmark::kMicrosecond);
}

extern "C" int nn2_bench_keep_running(nn2_bstate *s) { return s->st->KeepRunning(); }
extern "C" long nn2_bench_arg(nn2_bstate *s, int i) { return (long)s->st->range(i); }
extern "C" void nn2_bench_rate(nn2_bstate *s, const char *name, double per_iteration)
{
    s->st->counters[name] =
        benchmark::Counter(per_iteration, benchmark::Counter::kIsIterationInvariantRate,
                           benchmark::Counter::kIs1000);
}
extern "C" void nn2_bench_skip(nn2_bstate *s, const char *why) { s->st->SkipWithError(why); }
extern "C" void nn2_bench_pause(nn2_bstate *s) { s->st->PauseTiming(); }
extern "C" void nn2_bench_resume(nn2_bstate *s) { s->st->ResumeTiming(); }

extern "C" int nn2_bench_main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
