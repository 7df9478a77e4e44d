/* main.c: the nn2 command-line tool: the commands dispatched, and `nn2 train` (nn2_config from
 * the command line, per-epoch reporting with a progress bar on a terminal, metrics files,
 * signals) and `nn2 info`; exit codes 0 ok, 1 data or runtime error, 2 usage error, 3 training
 * diverged. The data: cli_data.c; nn2 eval and predict: cli_score.c. */
#include <glob.h>
#include <math.h>
#include <signal.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_args.h"
#include "cli_data.h"
#include "cli_score.h"
#include "dist.h"
#include "fileio.h"
#include "nn2.h"
#include "nn2_kernels.h"
#include "placement.h"

typedef struct report {
    const cli_opts *o;
    nn2_epoch_stats *hist;
    int n_hist;
    double epoch_t0, last_bar;
    int tty;
    nn2_status io_status;
    nn2_error io_err;
} report;

/* SIGINT/SIGTERM: ask nn2_train to stop after the mini-batch in progress (at the end of the epoch
 * with several ranks). SIGUSR1 too: mpirun passes it on to the ranks, while it ends them on
 * SIGINT/SIGTERM. */
static volatile int stop_flag;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
    stop_flag = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
}

/* Temporary files a killed checkpoint write left behind (PATH.tmp.XXXXXX). */
static void remove_stale_temps(const char *path)
{
    char pattern[4200];
    snprintf(pattern, sizeof pattern, "%s.tmp.??????", path);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) unlink(g.gl_pathv[i]);
        globfree(&g);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void on_progress(int epoch, size_t done, size_t total, void *user)
{
    report *r = user;
    if (!r->tty || r->o->quiet) return;
    if (done == 0 || done >= total) return;
    const double t = now_s();
    if (t - r->last_bar < 0.1) return; /* at most ten redraws a second */
    r->last_bar = t;
    const double el = t - r->epoch_t0, rate = (double)done / (el > 0 ? el : 1e-9);
    const int width = 30, fill = (int)((double)width * (double)done / (double)total);
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[width] = '\0';
    fprintf(stderr, "\rEpoch %d [%s] %zu/%zu  %.0f samples/s  ETA %.1f s ", epoch, bar, done,
            total, rate, (double)(total - done) / rate);
    fflush(stderr);
}

static void on_resume(const nn2_epoch_stats *hist, int n, void *user)
{
    report *r = user;
    nn2_epoch_stats *h = realloc(r->hist, sizeof *h * ((size_t)n + (size_t)r->o->cfg.epochs + 1));
    if (!h) return;
    r->hist = h;
    memcpy(r->hist, hist, sizeof *h * (size_t)n);
    r->n_hist = n;
    if (!r->o->quiet) printf("nn2: resumed from %s after %d complete epochs\n", r->o->resume, n);
}

static int on_epoch(const nn2_epoch_stats *st, void *user)
{
    report *r = user;
    r->hist[r->n_hist++] = *st;
    if (r->tty && !r->o->quiet) fprintf(stderr, "\r\033[K");
    if (!r->o->quiet) {
        /* network2's wording, one line per epoch (epochs counted from 0 as network2 does) */
        printf("Epoch %d:", st->epoch);
        const char *sep = " ";
        if (!isnan(st->train_cost)) {
            printf("%scost on training data: %.6f", sep, st->train_cost);
            sep = "; ";
        }
        if (st->train_correct >= 0) {
            printf("%saccuracy on training data: %ld / %zu", sep, st->train_correct,
                   st->train_count);
            sep = "; ";
        }
        if (!isnan(st->eval_cost)) {
            printf("%scost on evaluation data: %.6f", sep, st->eval_cost);
            sep = "; ";
        }
        if (st->eval_correct >= 0) {
            printf("%saccuracy on evaluation data: %ld / %zu", sep, st->eval_correct,
                   st->eval_count);
            sep = "; ";
        }
        printf("%s(%.2f s)", sep[0] == ';' ? " " : " training complete ", st->seconds);
        if (st->epoch == 0 && (r->o->cfg.threads == 0 || st->team_cap)) {
            printf(" [%d thread%s", st->threads, st->threads > 1 ? "s" : "");
            if (st->probed)
                printf(", the fastest of %d runs of %d steps", st->probed, st->probe_steps);
            if (st->team_cap)
                printf("%s the network's units go to at most %d of the %d threads", st->probed ? ";" : ":",
                       st->team_cap, nn2_train_threads(&r->o->cfg));
            printf("]");
        }
        if (st->threads_before && st->retry_after) /* the automatic count (src/autocount.h) */
            printf(" [%d thread%s again, not %d: tried after %d epoch%s; %d took %.2f us a step in its "
                   "last epoch, %d %.2f]", st->threads, st->threads > 1 ? "s" : "", st->threads_before,
                   st->retry_after, st->retry_after > 1 ? "s" : "", st->threads, st->step_us_now,
                   st->threads_before, st->step_us_before);
        else if (st->threads_before)
            printf(" [%d thread%s now, not %d: %d took %.2f us a step in its last epoch, %d %.2f%s]",
                   st->threads, st->threads > 1 ? "s" : "", st->threads_before, st->threads_before,
                   st->step_us_before, st->threads, st->step_us_now,
                   st->now_from_probe ? " in the first epoch's probe" : " in its last epoch");
        if (st->next_eta != st->eta) printf(" eta -> %g", st->next_eta);
        if (st->stopped) printf(" stopping (best epoch %d)", st->best_epoch);
        printf("\n");
        fflush(stdout);
    }
    /* Rewrite the metrics files every epoch (atomically), so an interrupted run keeps them. */
    if (r->o->metrics_csv && r->io_status == NN2_OK)
        r->io_status = nn2_metrics_save_csv(r->hist, r->n_hist, r->o->metrics_csv, &r->io_err);
    if (r->o->metrics_json && r->io_status == NN2_OK)
        r->io_status = nn2_metrics_save_json(r->hist, r->n_hist, r->o->metrics_json, &r->io_err);
    r->epoch_t0 = now_s();
    return r->io_status != NN2_OK;
}

/* More threads than the PUs this process is bound to (mpirun binds a rank to one core when
 * there are at most two): say so, since they would take turns on one core. */
static void warn_if_cramped(const nn2_config *cfg, int rank)
{
    nn2_plan plan;
    nn2_error err;
    const int T = nn2_train_threads(cfg);
    if (nn2_plan_make(&plan, T, NN2_BIND_COMPACT, NULL, &err) != NN2_OK) return;
    if (plan.restricted && T > plan.n_pus)
        fprintf(stderr, "nn2: rank %d: %d threads but this process is bound to %d PU%s (by mpirun or "
                "taskset); with mpirun add --bind-to none, or --map-by slot:PE=%d\n", rank, T, plan.n_pus,
                plan.n_pus == 1 ? "" : "s", T);
    nn2_plan_free(&plan);
}

/* Every file the run will write can be written: found now, not after the training. */
static int outputs_writable(const cli_opts *o)
{
    for (int i = 0; i < CLI_N_OUTPUTS; i++) {
        const char *flag, *path = cli_output(o, i, &flag);
        nn2_error err;
        if (path && nn2_check_writable(path, &err) != NN2_OK) {
            fprintf(stderr, "nn2: %s %s\n", flag, err.msg);
            return 0;
        }
    }
    return 1;
}

static int cmd_train(const cli_opts *opts, nn2_dist *dist)
{
    const int rank = nn2_dist_rank(dist), ranks = nn2_dist_size(dist);
    cli_opts quiet_opts = *opts; /* ranks other than 0 print and write nothing */
    if (rank != 0) {
        quiet_opts.quiet = 1;
        quiet_opts.metrics_csv = quiet_opts.metrics_json = quiet_opts.save_path = NULL;
    }
    const cli_opts *o = &quiet_opts;
    install_signals(); /* before loading: a signal then stops training at its first mini-batch */
    nn2_arch arch; /* the flags' network, refused (2) before the files are looked at */
    if (cli_arch(o, &arch)) return 2;
    if (nn2_dist_any(dist, rank == 0 && !outputs_writable(o))) return 1;
    nn2_mnist m;
    int rc = cli_load_data(o, &m, dist);
    if (rc) return rc;
    nn2_error err;
    nn2_net *net = NULL;
    nn2_status st = nn2_net_create_arch(&net, &arch, &err);
    if (st != NN2_OK) {
        fprintf(stderr, "nn2: %s\n", err.msg);
        nn2_mnist_free(&m);
        return 2;
    }
    nn2_net_init(net, o->init, o->cfg.seed);
    report r = {.o = o, .tty = isatty(2), .io_status = NN2_OK};
    r.hist = calloc((size_t)o->cfg.epochs + 1, sizeof *r.hist);
    nn2_config cfg = o->cfg;
    cfg.on_epoch = on_epoch;
    cfg.on_progress = on_progress;
    cfg.on_resume = on_resume;
    cfg.user = &r;
    cfg.checkpoint = o->checkpoint;
    cfg.checkpoint_every = o->checkpoint ? o->checkpoint_every : 0;
    cfg.resume = o->resume;
    cfg.stop = &stop_flag;
    cfg.dist = dist;
    if (o->checkpoint && rank == 0) remove_stale_temps(o->checkpoint);
    const nn2_dataset *eval = cli_pick_set(&m, o->eval_set);
    const nn2_dataset expanded = nn2_dataset_expanded(&m.training);
    const nn2_dataset *train = o->expand ? &expanded : &m.training;
    if ((cfg.early_stop > 0 || cfg.schedule == NN2_SCHED_PLATEAU) && !eval) {
        fprintf(stderr, "nn2: --early-stop and --schedule plateau need evaluation data\n");
        free(r.hist);
        nn2_net_free(net);
        nn2_mnist_free(&m);
        return 2;
    }
    const int n_out = o->sizes[o->n_sizes - 1], n_cls = train->n_classes;
    if (n_out < n_cls) { /* every rank refuses alike */
        if (rank == 0)
            fprintf(stderr, "nn2: --sizes ends in %d outputs but the labels in %s/%s* have %d classes (0-%d)\n",
                    n_out, o->data_dir, o->data_prefix, n_cls, n_cls - 1);
        free(r.hist);
        nn2_net_free(net);
        nn2_mnist_free(&m);
        return 2;
    }
    if (rank == 0 && n_out > n_cls) { /* legal, but a user may have meant n_cls */
        char unused[48];
        if (n_out > n_cls + 1)
            snprintf(unused, sizeof unused, "outputs %d-%d are", n_cls, n_out - 1);
        else
            snprintf(unused, sizeof unused, "output %d is", n_cls);
        fprintf(stderr, "nn2: note: --sizes ends in %d outputs but the data has %d classes; %s never a "
                "target\n", n_out, n_cls, unused);
    }
    char sizes[256];
    size_t sl = 0;
    for (int i = 0; i < o->n_sizes && sl < sizeof sizes; i++)
        sl += (size_t)snprintf(sizes + sl, sizeof sizes - sl, "%s%d", i ? "," : "", o->sizes[i]);
    if (!o->quiet)
        printf("nn2: sizes [%s], %s, %s init, %d epochs, batch %d, eta %g, lambda %g, "
               "seed %llu, %s%d threads, kernels %s, %zu training images\n",
               sizes, nn2_cost_name(o->cost), nn2_init_name(o->init),
               cfg.epochs, cfg.batch_size, cfg.eta, cfg.lambda, (unsigned long long)cfg.seed,
               cfg.threads ? "" : "up to ", nn2_train_threads(&cfg), nn2_isa_name(), train->count);
    if (!o->quiet && ranks > 1)
        printf("nn2: MPI: %d ranks, each computing its share of every hidden layer's units\n", ranks);
    if (!o->quiet && !nn2_arch_is_network2(&arch)) {
        printf("nn2: activations");
        for (int l = 0; l + 2 < o->n_sizes; l++)
            printf(" %s%s", nn2_act_name(arch.act[l]), arch.dropout[l] > 0 ? "+dropout" : "");
        printf(", output %s\n", nn2_act_name(arch.act[o->n_sizes - 2]));
    }
    if (!o->quiet && (cfg.momentum > 0 || cfg.reg == NN2_REG_L1 || cfg.schedule != NN2_SCHED_CONSTANT || cfg.early_stop))
        printf("nn2: %s, momentum %g%s, schedule %s, early stop %d\n", cfg.reg == NN2_REG_L1 ? "L1" : "L2",
               cfg.momentum, cfg.nesterov ? " (Nesterov)" : "",
               cfg.schedule == NN2_SCHED_STEP ? "step" : cfg.schedule == NN2_SCHED_PLATEAU ? "plateau" : "constant",
               cfg.early_stop);
    warn_if_cramped(&cfg, rank);
    const double t0 = now_s();
    r.epoch_t0 = t0;
    st = nn2_train(net, &cfg, train, eval, &err);
    if (st == NN2_OK && r.io_status != NN2_OK) {
        st = r.io_status;
        err = r.io_err;
    }
    if (st == NN2_ERR_INTERRUPTED) {
        const int sig = stop_signal ? (int)stop_signal : SIGINT;
        rc = 128 + sig;
        if (rank == 0) { /* every rank agreed on the stop; rank 0 says it */
            fprintf(stderr, "nn2: %s: %s\n", sig == SIGTERM ? "SIGTERM" : sig == SIGUSR1 ? "SIGUSR1" : "SIGINT",
                    err.msg);
            if (o->checkpoint)
                fprintf(stderr, "nn2: to continue, run the same command with --resume %s\n", o->checkpoint);
            else
                fprintf(stderr, "nn2: no --checkpoint was given, so this run cannot be resumed\n");
        }
    } else if (st != NN2_OK) {
        if (rank == 0) fprintf(stderr, "nn2: %s\n", err.msg); /* the agreed error */
        rc = st == NN2_ERR_NUMERIC ? 3 : st == NN2_ERR_ARG ? 2 : 1;
    } else {
        if (!o->quiet) printf("nn2: trained in %.2f s\n", now_s() - t0);
        uint64_t bytes, steps, calls;
        nn2_dist_traffic(dist, &bytes, &steps, &calls);
        if (!o->quiet && steps > 0)
            printf("nn2: MPI: %.0f bytes received per step by rank 0 in %.1f collectives (%llu steps)\n",
                   (double)bytes / (double)steps, (double)calls / (double)steps,
                   (unsigned long long)steps);
        if (!o->quiet && cfg.early_stop > 0 && r.n_hist > 0)
            printf("nn2: kept the weights of epoch %d (best evaluation accuracy)\n", r.hist[r.n_hist - 1].best_epoch);
        if (o->save_path) {
            st = nn2_net_save(net, o->save_path, &err);
            if (st != NN2_OK) {
                fprintf(stderr, "nn2: %s\n", err.msg);
                rc = 1;
            } else if (!o->quiet) {
                printf("nn2: saved %s\n", o->save_path);
            }
        }
    }
    free(r.hist);
    nn2_net_free(net);
    nn2_mnist_free(&m);
    return rc;
}

static int cmd_info(const cli_opts *o)
{
    const nn2_kernels *k = nn2_kernels_get();
    printf("nn2 %s\n", nn2_version());
    const char *features = nn2_build_features();
    printf("built with: %s\n", *features ? features : "(no optional part)");
    printf("kernels: %s (available:", k->name);
    for (int i = 0; i < NN2_ISA_COUNT; i++)
        if (nn2_kernels_for((nn2_isa)i)) printf(" %s", nn2_isa_str((nn2_isa)i));
    printf("; NN2_ISA overrides)\n");
    printf("threads: %d (OMP_NUM_THREADS or all cores; --threads overrides)\n",
           omp_get_max_threads());
    const char *syn = getenv("HWLOC_SYNTHETIC");
    nn2_plan plan;
    nn2_error err;
    const int T = o->cfg.threads > 0 ? o->cfg.threads : omp_get_max_threads();
    if (nn2_plan_make(&plan, T, o->cfg.bind, syn && *syn ? syn : NULL, &err) != NN2_OK) {
        fprintf(stderr, "nn2: %s\n", err.msg);
        return 2;
    }
    if (syn && *syn) printf("synthetic topology (HWLOC_SYNTHETIC): %s\n", syn);
    nn2_plan_print(&plan, stdout);
    nn2_plan_free(&plan);
    return 0;
}

int main(int argc, char **argv)
{
    cli_opts o;
    const int rc = cli_parse(argc, argv, &o);
    if (rc) return rc;
    switch (o.cmd) {
    case CMD_HELP: cli_usage(stdout); return 0;
    case CMD_VERSION:
        printf("nn2 %s (kernels: %s)\n", nn2_version(), nn2_isa_name());
        return 0;
    case CMD_INFO: return cmd_info(&o);
    case CMD_TRAIN: {
        nn2_dist *dist;
        nn2_error err;
        if (nn2_dist_init(&argc, &argv, &dist, &err) != NN2_OK) {
            fprintf(stderr, "nn2: %s\n", err.msg);
            return 2;
        }
        const int trc = cmd_train(&o, dist);
        nn2_dist_finalize(dist);
        return trc;
    }
    case CMD_EVAL: return cli_eval(&o);
    case CMD_PREDICT: return cli_predict(&o);
    case CMD_NONE: break;
    }
    return 2;
}
