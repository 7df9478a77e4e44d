/* nn2_bench.c: training-speed benchmark of issue 4. For each configuration (B1-B4 by default;
 * B5, a mini-batch of 1,000 trained in blocks, on request), kernel set
 * and thread count: seconds per epoch (training only; median, min, max of --reps epochs after a
 * warm-up epoch), samples/s, achieved GFLOP/s, and that as a percentage of this machine's
 * single-precision FMA peak, measured here in the same run with the same thread count: the
 * median of the peaks measured just before each of the row's epochs, the thread counts'
 * epochs taking turns (run_rows; --sequential: one thread count after the other, as before).
 * Before timing, each kernel set's training step is checked against the scalar kernels.
 *
 * FLOPs counted per sample: forward 2*n_in*n_out per layer, weight gradient 2*n_in*n_out per
 * layer, back-propagated delta 2*n_in*n_out per layer but the first (activations, costs and
 * updates are not counted). The peak is measured at the vector width of the kernels in use
 * (peak_lanes). On a CPU with AVX-512, a roofline follows: per step, the time those FLOPs
 * need at the measured peak (with the lanes a layer's width leaves idle, and the output layer
 * computed on every thread), the weight traffic through L2 and the pixels from memory at the
 * bandwidths measured here, plus one measured barrier: the best this machine allows. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn2.h"
#include "fileio.h"
#include "nn2_kernels.h"
#ifdef NN2_BENCH_ROOFLINE
#include "roofline.h"
#endif

double nn2_bench_fma_avx512(long iters);
double nn2_bench_fma_avx2(long iters);

typedef struct {
    const char *name, *desc;
    int sizes[3];
    nn2_act hidden, out;
    nn2_cost cost;
    int batch;
    double eta;
} bconf;

static const bconf CONFIGS[] = {
    {"B1", "[784,30,10] sigmoid+CE, batch 10", {784, 30, 10}, NN2_ACT_SIGMOID, NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY, 10, 0.5},
    {"B2", "[784,100,10] sigmoid+CE, batch 10", {784, 100, 10}, NN2_ACT_SIGMOID, NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY, 10, 0.5},
    {"B3", "[784,100,10] sigmoid+CE, batch 100", {784, 100, 10}, NN2_ACT_SIGMOID, NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY, 100, 0.5},
    {"B4", "[784,800,10] ReLU+softmax+LL, batch 128", {784, 800, 10}, NN2_ACT_RELU, NN2_ACT_SOFTMAX, NN2_COST_LOG_LIKELIHOOD, 128, 0.1},
    /* not one of issue 4's: a large mini-batch, trained in blocks of 64 (README, "Large
     * mini-batches"); run only when --configs names it */
    {"B5", "[784,100,10] sigmoid+CE, batch 1000", {784, 100, 10}, NN2_ACT_SIGMOID, NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY, 1000, 0.5},
};
enum { N_CONFIGS = (int)(sizeof CONFIGS / sizeof *CONFIGS), DEFAULT_CONFIGS = (1 << 4) - 1 /* B1-B4, issue 4's */ };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n), which it leaves sorted (v[0] the least, v[n - 1] the greatest). */
static double sort_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The FMA width nn2's kernels use, in lanes: 16 for the AVX-512 set, 8 for AVX2; for any other
 * set (scalar, OpenBLAS) the widest this CPU has (0: none). The peak and the roofline's idle
 * lanes are measured and modelled at that width, so that NN2_ISA=avx2 on an AVX-512 machine is
 * judged against the AVX2 peak, as on a machine without AVX-512. */
static int peak_lanes(nn2_isa isa)
{
    const int avx512 = nn2_kernels_for(NN2_ISA_AVX512) != NULL, avx2 = nn2_kernels_for(NN2_ISA_AVX2) != NULL;
    if (isa == NN2_ISA_AVX2) return 8;
    return avx512 ? 16 : avx2 ? 8 : 0;
}

/* Aggregate FMA peak of `threads` threads at `lanes` (16 or 8), GFLOP/s (median of 5 runs of
 * 960 MFLOP a thread: about 4 ms each on a core of this machine). */
static double fma_peak(int threads, int lanes)
{
    if (lanes == 0) return NAN;
    double runs[5];
    for (int r = 0; r < 5; r++) {
        double flops = 0;
        const double t0 = now_s();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
        flops += lanes == 16 ? nn2_bench_fma_avx512(20000000 / 16) : nn2_bench_fma_avx2(20000000 / 8);
        runs[r] = flops / (now_s() - t0) / 1e9;
    }
    return sort_median(runs, 5);
}

static double flops_per_sample(const int *s)
{
    const double l1 = (double)s[0] * s[1], l2 = (double)s[1] * s[2];
    return 2 * (l1 + l2) + 2 * (l1 + l2) + 2 * l2;
}

typedef struct {
    double secs[64];
    int n;
    int team; /* the threads nn2_train trained with: fewer than asked where only they get units */
} timing;

static int on_epoch(const nn2_epoch_stats *st, void *user)
{
    timing *t = user;
    if (t->n < 64) t->secs[t->n++] = st->seconds;
    t->team = st->threads;
    return 0;
}

static nn2_net *make_net(const bconf *c)
{
    nn2_arch a;
    nn2_arch_sigmoid(&a, c->sizes, 3, c->cost);
    a.act[0] = c->hidden;
    a.act[1] = c->out;
    nn2_net *net;
    nn2_error err;
    if (nn2_net_create_arch(&net, &a, &err) != NN2_OK) {
        fprintf(stderr, "nn2-bench: %s\n", err.msg);
        exit(1);
    }
    nn2_net_init(net, c->hidden == NN2_ACT_RELU ? NN2_INIT_HE : NN2_INIT_DEFAULT, 1);
    return net;
}

static nn2_config make_cfg(const bconf *c, int threads, int isa, int epochs)
{
    nn2_config cfg;
    nn2_config_default(&cfg);
    cfg.epochs = epochs;
    cfg.batch_size = c->batch;
    cfg.eta = c->eta;
    cfg.lambda = 5.0;
    cfg.threads = threads;
    cfg.isa = isa;
    cfg.monitor_eval_accuracy = 0;
    return cfg;
}

/* One configuration with one kernel set at every thread count of the run: per thread count the
 * seconds of each epoch (epoch 0 the warm-up), the FMA peak measured just before it, on 2
 * threads or more the cache-line hand-over measured just before it too (NaN where none was),
 * and whether the final weights equal the first thread count's. */
typedef struct {
    timing tm[16];
    double probe[16][64];
    double hand[16][64];
    int same[16];
} rows;

/* Whether nets a and b (of configuration c) hold the same bits in every weight and bias. */
static int same_weights(const bconf *c, const nn2_net *a, const nn2_net *b)
{
    for (int l = 0; l < 2; l++)
        for (int j = 0; j < c->sizes[l + 1]; j++) {
            float x[2] = {nn2_net_bias(a, l, j), nn2_net_bias(b, l, j)};
            if (memcmp(&x[0], &x[1], sizeof x[0])) return 0;
            for (int kk = 0; kk < c->sizes[l]; kk++) {
                x[0] = nn2_net_weight(a, l, j, kk);
                x[1] = nn2_net_weight(b, l, j, kk);
                if (memcmp(&x[0], &x[1], sizeof x[0])) return 0;
            }
        }
    return 1;
}

/* Trains reps + 1 epochs of c at each thread count. Side by side (the default): epoch e of every
 * thread count runs before epoch e + 1 of any, in turn (the order reversed on odd epochs), each
 * an nn2_train call of one epoch on that thread count's network, its shuffle seeded 1 + e, and
 * each preceded by the FMA peak at its thread count (lanes; none if 0) and, on 2 threads or
 * more, by a short cache-line hand-over probe. So a drift of the machine's speed (a neighbour
 * on a shared host) falls on every thread count alike, and the ratios and percentages compare
 * epochs run seconds apart. sequential: one nn2_train call of
 * reps + 1 epochs per thread count, one after the other (seed 1; the peak measured once). */
static int run_rows(const bconf *c, int isa, const int *tcounts, int nt, int reps, int sequential,
                    int lanes, const nn2_dataset *train, rows *r)
{
    nn2_net *net[16];
    for (int ti = 0; ti < nt; ti++) {
        net[ti] = make_net(c);
        r->tm[ti].n = 0;
        r->tm[ti].team = tcounts[ti];
    }
    const int calls = sequential ? 1 : reps + 1;
    int ok = 1;
    for (int e = 0; e < calls && ok; e++)
        for (int j = 0; j < nt && ok; j++) {
            const int ti = sequential || e % 2 == 0 ? j : nt - 1 - j;
            if (!sequential) r->probe[ti][e] = lanes ? fma_peak(tcounts[ti], lanes) : NAN;
            r->hand[ti][e] = NAN;
#ifdef NN2_BENCH_ROOFLINE
            /* which phase of the VM this epoch runs in (README "This VM"): 20,000 round trips,
             * 2-10 ms, between the FMA probe and the epoch */
            if (!sequential && tcounts[ti] > 1 && omp_get_num_procs() > 1)
                r->hand[ti][e] = nn2_roof_handoff_probe_ns(20000);
#endif
            nn2_config cfg = make_cfg(c, tcounts[ti], isa, sequential ? reps + 1 : 1);
            cfg.seed = sequential ? 1 : 1 + (uint64_t)e;
            cfg.on_epoch = on_epoch;
            cfg.user = &r->tm[ti];
            nn2_error err;
            if (nn2_train(net[ti], &cfg, train, NULL, &err) != NN2_OK) {
                fprintf(stderr, "nn2-bench: %s\n", err.msg);
                ok = 0;
            }
        }
    for (int ti = 0; ti < nt; ti++) r->same[ti] = ok && same_weights(c, net[0], net[ti]);
    for (int ti = 0; ti < nt; ti++) nn2_net_free(net[ti]);
    return ok;
}

/* Train 200 samples with this kernel set and with scalar: parameters must agree closely. */
static int verify(const bconf *c, int isa, const nn2_dataset *train)
{
    nn2_dataset small = *train;
    small.count = 200;
    nn2_net *a = make_net(c), *b = make_net(c);
    nn2_config ca = make_cfg(c, 1, isa, 1), cb = make_cfg(c, 1, NN2_ISA_SCALAR, 1);
    nn2_error err;
    if (nn2_train(a, &ca, &small, NULL, &err) || nn2_train(b, &cb, &small, NULL, &err)) {
        fprintf(stderr, "nn2-bench: %s\n", err.msg);
        return 0;
    }
    double worst = 0;
    for (int l = 0; l < 2; l++)
        for (int j = 0; j < c->sizes[l + 1]; j++)
            for (int k = 0; k < c->sizes[l]; k++) {
                const double d = fabs(nn2_net_weight(a, l, j, k) - nn2_net_weight(b, l, j, k));
                if (d > worst) worst = d;
            }
    nn2_net_free(a);
    nn2_net_free(b);
    if (worst > 1e-3) fprintf(stderr, "nn2-bench: %s %s differs from scalar by %g\n", c->name, nn2_isa_str((nn2_isa)isa), worst);
    return worst <= 1e-3;
}

#ifdef NN2_BENCH_ROOFLINE
/* Per configuration and thread count: the step's bound from this run's measurements against
 * the measured step (med: seconds per epoch of the best kernels), both as % of the FMA peak. */
static void roofline(unsigned sel, int ncores, const int *tcounts, int nt, double rpk[N_CONFIGS][16],
                     int lanes, double med[N_CONFIGS][4][16])
{
    static const double target[N_CONFIGS] = {55, 70, 75, 80, 0}; /* issue 4's % of peak, all cores */
    double bar[16], gomp[16], l2[16], mem[16];
    printf("\nroofline, measured in this run:\n");
    if (ncores > 1) { /* (nproc at start: inside training this thread is bound to one core) */
        printf("  cache-line hand-over between two threads: %.0f ns\n", nn2_roof_handoff_ns());
        double own;
        const double other = nn2_roof_shared_read_ns(&own);
        printf("  8 MB written by one thread, read in random order: %.0f ns a line by the other thread,\n"
               "  %.0f ns by the writer (about equal when the two cores share a last-level cache)\n", other, own);
    }
    for (int ti = 0; ti < nt; ti++) {
        bar[ti] = tcounts[ti] > 1 ? nn2_roof_barrier_us(tcounts[ti], 0) : 0.0;
        gomp[ti] = nn2_roof_barrier_us(tcounts[ti], 1);
        l2[ti] = nn2_roof_l2_gbs(tcounts[ti]);
        mem[ti] = nn2_roof_mem_gbs(tcounts[ti]);
        printf("  %d thread%s: nn2 barrier %.2f us (omp barrier %.2f us), L2 read+write %.0f GB/s, "
               "memory read %.1f GB/s\n", tcounts[ti], tcounts[ti] > 1 ? "s" : " ", bar[ti], gomp[ti],
               l2[ti], mem[ti]);
    }
    printf("per step (us): flop = FLOPs at the peak with idle lanes; l2 = weight bytes (read in the\n"
           "forward pass, read and written by the update) / L2 bandwidth; mem = pixels / memory\n"
           "bandwidth; bound = max of the three + barrier; %%peak = FLOPs at full peak / time\n");
    printf("%-3s %3s %8s %8s %7s %7s %7s %7s %8s %9s %9s %9s %7s\n", "cfg", "thr", "MFLOP", "KB",
           "flop", "l2", "mem", "sync", "bound", "measured", "bound%pk", "meas%pk", "target");
    for (int ci = 0; ci < N_CONFIGS; ci++) {
        const bconf *c = &CONFIGS[ci];
        if (!(sel >> ci & 1u)) continue;
        const int *s = c->sizes, mb = c->batch;
        const double f1 = 4.0 * s[0] * s[1] * mb, f2 = 6.0 * s[1] * s[2] * mb; /* per step */
        const double u1 = s[1] / ((double)lanes * ((s[1] + lanes - 1) / lanes));
        const double u2 = s[2] / ((double)lanes * ((s[2] + lanes - 1) / lanes));
        const double *peak = rpk[ci];
        for (int ti = 0; ti < nt; ti++) {
            const int T = tcounts[ti];
            const double p1 = peak[ti] / T * 1e3; /* one thread's peak, FLOP/us */
            const double t_full = (f1 + f2) / (peak[ti] * 1e3);
            const double t_flop = f1 / (u1 * p1 * T) + f2 / (u2 * p1);
            const double wb = 12.0 * ((double)s[0] * s[1] + s[1]) + 12.0 * T * ((double)s[1] * s[2] + s[2]);
            const double t_l2 = wb / (l2[ti] * 1e3), t_mem = (double)T * mb * s[0] / (mem[ti] * 1e3);
            double b = t_flop > t_l2 ? t_flop : t_l2;
            b = (b > t_mem ? b : t_mem) + bar[ti];
            const double meas = med[ci][0][ti] / (50000.0 / mb) * 1e6;
            char tg[16] = "-";
            if (ti == nt - 1 && target[ci] > 0) snprintf(tg, sizeof tg, "%.0f%%", target[ci]);
            printf("%-3s %3d %8.2f %8.0f %7.2f %7.2f %7.2f %7.2f %8.2f %9.2f %8.1f%% %8.1f%% %7s\n",
                   c->name, T, (f1 + f2) / 1e6, wb / 1024, t_flop, t_l2, t_mem, bar[ti], b, meas,
                   100 * t_full / b, 100 * t_full / meas, tg);
        }
    }
}
#endif

/* A flag's integer value, the whole string, in [lo, hi]; else a message naming the flag. */
static int parse_int(const char *flag, const char *a, long lo, long hi, int *v)
{
    char *end;
    errno = 0;
    const long x = strtol(a, &end, 10);
    if (errno || end == a || *end || x < lo || x > hi) {
        fprintf(stderr, "nn2-bench: %s takes an integer from %ld to %ld, not '%s'\n", flag, lo, hi, a);
        return 0;
    }
    *v = (int)x;
    return 1;
}

/* --configs: comma-separated names of CONFIGS as a bit mask (bit ci: CONFIGS[ci]); 0 when a
 * name is unknown or empty. */
static unsigned parse_configs(const char *a)
{
    unsigned sel = 0;
    for (const char *q = a;; q++) {
        const size_t len = strcspn(q, ",");
        int ci = 0;
        while (ci < N_CONFIGS && (strlen(CONFIGS[ci].name) != len || strncmp(q, CONFIGS[ci].name, len))) ci++;
        if (ci == N_CONFIGS) return 0;
        sel |= 1u << ci;
        q += len;
        if (!*q) return sel;
    }
}

/* --threads: comma-separated thread counts, 1 to 4096, at most 16 of them, into tcounts;
 * returns how many, 0 for a bad list. */
static int parse_threads(const char *a, int *tcounts)
{
    int nt = 0;
    for (const char *q = a;; q++) {
        char *end;
        errno = 0;
        const long x = strtol(q, &end, 10);
        if (errno || end == q || (*end && *end != ',') || x < 1 || x > 4096 || nt == 16) return 0;
        tcounts[nt++] = (int)x;
        q = end;
        if (!*q) return nt;
    }
}

/* The csv's text, kept in memory and written atomically at the end (never half a file): its
 * buffer is sized for every row before the runs (CSV_ROW bytes a row, far more than one needs),
 * so appending never allocates; a row that would not fit marks the text incomplete. */
#define CSV_ROW 512
typedef struct {
    char *p;
    size_t n, cap; /* n > cap: incomplete, not written */
} text;

static void text_add(text *t, const char *fmt, ...)
{
    if (t->n > t->cap) return;
    va_list ap;
    va_start(ap, fmt);
    const int w = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    t->n = w < 0 || (size_t)w >= t->cap - t->n ? t->cap + 1 : t->n + (size_t)w;
}

int main(int argc, char **argv)
{
    const char *data = "data/mnist", *csv = NULL;
    int reps = 5, sequential = 0;
    unsigned sel = DEFAULT_CONFIGS; /* the configurations to run, bit ci: CONFIGS[ci] */
    const int ncores = omp_get_num_procs();
    int tcounts[16] = {1, ncores}, nt = ncores > 1 ? 2 : 1;
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;
        const int takes = !strcmp(f, "--data") || !strcmp(f, "--reps") || !strcmp(f, "--csv") ||
                          !strcmp(f, "--configs") || !strcmp(f, "--threads");
        if (takes && !a) {
            fprintf(stderr, "nn2-bench: %s needs a value\n", f);
            return 2;
        }
        if (takes) i++;
        if (!strcmp(f, "--data")) {
            data = a;
            if (!*data) {
                fprintf(stderr, "nn2-bench: --data '': an empty path\n");
                return 2;
            }
        } else if (!strcmp(f, "--reps")) {
            if (!parse_int(f, a, 1, 60, &reps)) return 2;
        } else if (!strcmp(f, "--csv")) {
            csv = a;
            nn2_error cerr;
            if (!*csv || nn2_check_writable(csv, &cerr) != NN2_OK) {
                fprintf(stderr, "nn2-bench: --csv '%s': not a file that can be written there\n", csv);
                return 2;
            }
        } else if (!strcmp(f, "--configs")) {
            if (!(sel = parse_configs(a))) {
                fprintf(stderr, "nn2-bench: --configs takes names from ");
                for (int ci = 0; ci < N_CONFIGS; ci++)
                    fprintf(stderr, "%s%s", CONFIGS[ci].name, ci + 1 < N_CONFIGS ? ", " : "");
                fprintf(stderr, " separated by commas, not '%s'\n", a);
                return 2;
            }
        } else if (!strcmp(f, "--threads")) {
            if (!(nt = parse_threads(a, tcounts))) {
                fprintf(stderr, "nn2-bench: --threads takes up to 16 thread counts from 1 to 4096 separated by commas, not '%s'\n", a);
                return 2;
            }
        } else if (!strcmp(f, "--sequential")) {
            sequential = 1;
        } else {
            fprintf(stderr, "nn2-bench: unknown argument '%s'\n"
                            "usage: nn2-bench [--data DIR] [--reps N] [--configs B1,B2,...] "
                            "[--threads 1,2,4,...] [--sequential] [--csv FILE]\n", f);
            return 2;
        }
    }
    /* Issue 4's FLOPs and % of peak are the dense network's: the sparse first layer (which
     * leaves out the inputs zero in a whole mini-batch, README "The sparse first layer") stays
     * off unless NN2_SPARSE is set; with NN2_SPARSE=1 the same FLOP count makes those columns
     * dense-equivalent rates. */
    const char *sparse_env = getenv("NN2_SPARSE");
    const int sparse = sparse_env && strcmp(sparse_env, "0") != 0;
    if (!sparse && setenv("NN2_SPARSE", "0", 1) != 0) {
        fprintf(stderr, "nn2-bench: cannot set NN2_SPARSE\n");
        return 1;
    }
    nn2_mnist m;
    nn2_error err;
    if (nn2_mnist_load(&m, data, 50000, 10000, &err) != NN2_OK) {
        fprintf(stderr, "nn2-bench: %s\n", err.msg);
        return 1;
    }
    const nn2_kernels *best = nn2_kernels_get();
    int isas[4], n_isa = 0;
    isas[n_isa++] = best->isa;
    if (nn2_kernels_for(NN2_ISA_OPENBLAS)) isas[n_isa++] = NN2_ISA_OPENBLAS;
    /* the peak of each kernel set's width (pk[0]: 16 lanes, pk[1]: 8), measured once; NaN
     * where none was (a CPU with neither width: every set then has lanes 0 and reads pk[0]) */
    double pk[2][16];
    for (int i = 0; i < 16; i++) pk[0][i] = pk[1][i] = NAN;
    int measured[2] = {0, 0};
    printf("nn2-bench: %d cores; measured FMA peak (GFLOP/s):", ncores);
    for (int ii = 0; ii < n_isa; ii++) {
        const int lanes = peak_lanes((nn2_isa)isas[ii]), w = lanes == 8;
        if (lanes == 0 || measured[w]) continue;
        measured[w] = 1;
        printf(" %s", w ? "AVX2" : "AVX-512");
        for (int i = 0; i < nt; i++) {
            pk[w][i] = fma_peak(tcounts[i], lanes);
            printf(" %.1f on %d thread%s;", pk[w][i], tcounts[i], tcounts[i] > 1 ? "s" : "");
        }
    }
    printf("\n");
    printf("first layer: %s\n", sparse ? "sparse (NN2_SPARSE=1): the inputs non-zero in some image of each "
                                          "mini-batch; GFLOP/s and %peak count the dense network's FLOPs"
                                        : "dense, every input (NN2_SPARSE=1 times the sparse one)");
    const double *peak_of[4]; /* per kernel set */
    for (int ii = 0; ii < n_isa; ii++) peak_of[ii] = pk[peak_lanes((nn2_isa)isas[ii]) == 8];
    text out = {NULL, 0, 0};
    if (csv) {
        out.cap = (size_t)CSV_ROW * (size_t)(N_CONFIGS * n_isa * nt + 1); /* the header, every row */
        if (!(out.p = malloc(out.cap))) {
            fprintf(stderr, "nn2-bench: %s: out of memory for its text\n", csv);
            return 1;
        }
        text_add(&out, "config,kernels,threads,sec_epoch_median,sec_epoch_min,sec_epoch_max,samples_per_s,speedup,efficiency,gflops,peak_gflops,pct_peak,same_weights,peak_min_gflops,peak_max_gflops,handover_ns\n");
    }
    printf("%-3s %-40s %-8s %3s %9s %9s %9s %11s %8s %7s %7s %7s %6s %6s %s\n", "cfg", "network", "kernels", "thr",
           "s/epoch", "min", "max", "samples/s", "GFLOP/s", "%peak", "speedup", "peak", "spread", "h-o ns", "determinism");
    double med[N_CONFIGS][4][16];   /* config, isa, threads */
    double row_peak[N_CONFIGS][16]; /* config, threads: the peak of the best kernels' rows */
    for (int ci = 0; ci < N_CONFIGS; ci++) {
        const bconf *c = &CONFIGS[ci];
        if (!(sel >> ci & 1u)) continue;
        for (int ii = 0; ii < n_isa; ii++) {
            if (!verify(c, isas[ii], &m.training)) return 1;
            rows r;
            if (!run_rows(c, isas[ii], tcounts, nt, reps, sequential, peak_lanes((nn2_isa)isas[ii]),
                          &m.training, &r))
                return 1;
            for (int ti = 0; ti < nt; ti++) {
                double *e = r.tm[ti].secs + 1; /* epoch 0: warm-up */
                const int n = r.tm[ti].n - 1;      /* the epochs the callback recorded */
                const double md = sort_median(e, n);
                const double sps = 50000.0 / md, gf = sps * flops_per_sample(c->sizes) / 1e9;
                med[ci][ii][ti] = md;
                const double speedup = med[ci][ii][0] / md, eff = speedup * tcounts[0] / tcounts[ti];
                /* this row's peak: the start's, or with probes their median (and their spread,
                 * (max - min) / median: how much the machine's speed moved during the row) */
                double pr = peak_of[ii][ti], lo = pr, hi = pr;
                if (!sequential && !isnan(pr)) {
                    pr = sort_median(r.probe[ti], reps + 1);
                    lo = r.probe[ti][0];
                    hi = r.probe[ti][reps];
                }
                /* the hand-over beside the row: the median of its epochs' probes (NaN: none) */
                double ho = r.hand[ti][0];
                if (!sequential && !isnan(ho)) ho = sort_median(r.hand[ti], reps + 1);
                char hos[16] = "-";
                if (!isnan(ho)) snprintf(hos, sizeof hos, "%.0f", ho);
                printf("%-3s %-40s %-8s %3d %9.4f %9.4f %9.4f %11.0f %8.1f %6.1f%% %6.2fx %7.1f %5.1f%% %6s %s",
                       c->name, c->desc, nn2_isa_str((nn2_isa)isas[ii]), tcounts[ti], md, e[0], e[n - 1],
                       sps, gf, 100 * gf / pr, speedup, pr, 100 * (hi - lo) / pr, hos,
                       r.same[ti] ? "same-weights" : "WEIGHTS-DIFFER");
                if (r.tm[ti].team < tcounts[ti]) printf(" (trained on %d: units for no more)", r.tm[ti].team);
                printf("\n");
                if (csv)
                    text_add(&out, "%s,%s,%d,%.6f,%.6f,%.6f,%.1f,%.4f,%.4f,%.3f,%.3f,%.2f,%d,%.3f,%.3f,%s\n", c->name,
                            nn2_isa_str((nn2_isa)isas[ii]), tcounts[ti], md, e[0], e[n - 1], sps,
                            speedup, eff, gf, pr, 100 * gf / pr, r.same[ti], lo, hi, isnan(ho) ? "" : hos);
                if (ii == 0) row_peak[ci][ti] = pr;
            }
            fflush(stdout);
        }
    }
    printf("\nratios (medians of this run):\n");
    for (int ci = 0; ci < N_CONFIGS; ci++) {
        if (!(sel >> ci & 1u)) continue;
        for (int ti = 1; ti < nt; ti++)
            printf("%s: %s %d -> %d threads: %.2fx\n", CONFIGS[ci].name, nn2_isa_str((nn2_isa)isas[0]),
                   tcounts[0], tcounts[ti], med[ci][0][0] / med[ci][0][ti]);
        for (int ti = 0; ti < nt && n_isa > 1; ti++)
            printf("%s: nn2 %s vs OpenBLAS backend at %d threads: %.2fx faster\n", CONFIGS[ci].name,
                   nn2_isa_str((nn2_isa)isas[0]), tcounts[ti], med[ci][1][ti] / med[ci][0][ti]);
    }
#ifdef NN2_BENCH_ROOFLINE
    const int lanes = peak_lanes(best->isa); /* (its L2 probe is AVX-512 code) */
    if (lanes && nn2_kernels_for(NN2_ISA_AVX512)) roofline(sel, ncores, tcounts, nt, row_peak, lanes, med);
#endif
    nn2_mnist_free(&m);
    if (csv && out.n > out.cap) {
        fprintf(stderr, "nn2-bench: %s: a row outgrew its buffer; not written\n", csv);
        free(out.p);
        return 1;
    }
    if (csv && nn2_write_atomic(csv, out.p, out.n, &err) != NN2_OK) {
        fprintf(stderr, "nn2-bench: %s\n", err.msg);
        free(out.p);
        return 1;
    }
    free(out.p);
    return 0;
}
