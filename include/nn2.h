/* nn2.h: public API of nn2, a fast trainer of fully-connected networks (network2.py in C).
 * An opaque network handle, datasets as uint8 views, one training call, evaluation, and
 * network2.py-compatible JSON files. Every call that touches external input returns an
 * nn2_status and, when given an nn2_error, a message that names the file or argument. */
#ifndef NN2_H
#define NN2_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What libnn2.so exports (built with -fvisibility=hidden): the functions of this header. */
#if defined(__GNUC__) || defined(__clang__)
#define NN2_API __attribute__((visibility("default")))
#else
#define NN2_API
#endif

/* The version of this header (CMake's project version is read from this line). */
#define NN2_VERSION_STRING "0.1.0"
/* The version of the library linked in, the same as NN2_VERSION_STRING for a matching pair. */
NN2_API const char *nn2_version(void);
/* The optional parts the library was built with, space-separated, in this order: "x86-kernels"
 * (the AVX2 and AVX-512 kernels), "zlib" (gzip IDX files), "hwloc" (thread binding), "mpi",
 * "openblas" (the benchmark backend), "profile" (the step profile); "" for none. */
NN2_API const char *nn2_build_features(void);

typedef enum nn2_status {
    NN2_OK = 0,
    NN2_ERR_IO = -1,          /* a file could not be opened, read or written */
    NN2_ERR_FORMAT = -2,      /* a file's content is malformed */
    NN2_ERR_ARG = -3,         /* an argument is out of range */
    NN2_ERR_NOMEM = -4,       /* an allocation failed or a size overflowed */
    NN2_ERR_NUMERIC = -5,     /* training produced a non-finite value */
    NN2_ERR_INTERRUPTED = -6, /* nn2_config.stop was set: training stopped early */
} nn2_status;

typedef struct nn2_error {
    char msg[512];
} nn2_error;

NN2_API const char *nn2_strerror(nn2_status s);

#define NN2_MAX_LAYERS 16 /* weight layers; sizes[] may have NN2_MAX_LAYERS + 1 entries */

typedef enum nn2_cost {
    NN2_COST_QUADRATIC,
    NN2_COST_CROSS_ENTROPY,
    NN2_COST_LOG_LIKELIHOOD, /* with a softmax output */
    NN2_COST_COUNT
} nn2_cost;

typedef enum nn2_act {
    NN2_ACT_SIGMOID,
    NN2_ACT_TANH,
    NN2_ACT_RELU,
    NN2_ACT_SOFTMAX, /* output layer only */
    NN2_ACT_COUNT
} nn2_act;

typedef enum nn2_init {
    NN2_INIT_DEFAULT, /* weights N(0, 1/n_in), biases N(0, 1) */
    NN2_INIT_LARGE,   /* weights and biases N(0, 1) */
    NN2_INIT_XAVIER,  /* Glorot: weights N(0, 2/(n_in+n_out)), biases 0 (tanh, sigmoid) */
    NN2_INIT_HE,      /* weights N(0, 2/n_in), biases 0 (ReLU) */
    NN2_INIT_COUNT
} nn2_init;

/* Names as in model files and on the command line. */
/* "CrossEntropyCost", "QuadraticCost", "LogLikelihoodCost" */
NN2_API const char *nn2_cost_name(nn2_cost c);
NN2_API const char *nn2_act_name(nn2_act a);   /* "sigmoid", "tanh", "relu", "softmax" */
NN2_API const char *nn2_init_name(nn2_init i); /* "default", "large", "xavier", "he" */

/* The shape of a network: sizes, one activation per weight layer (hidden layers sigmoid, tanh
 * or relu; the output layer sigmoid or softmax), dropout rates of the hidden layers' outputs
 * (0 = none), and the cost. Allowed output/cost pairs: sigmoid with quadratic or
 * cross-entropy, softmax with log-likelihood or quadratic. */
typedef struct nn2_arch {
    int n_sizes;
    int sizes[NN2_MAX_LAYERS + 1];
    nn2_act act[NN2_MAX_LAYERS];
    double dropout[NN2_MAX_LAYERS];
    nn2_cost cost;
} nn2_arch;

/* network2's network: all sigmoid, no dropout. */
NN2_API void nn2_arch_sigmoid(nn2_arch *a, const int *sizes, int n_sizes, nn2_cost cost);
/* Check sizes, activations, dropout rates and the output/cost pair; the message says what is
 * wrong (e.g. "log-likelihood needs a softmax output"). */
NN2_API nn2_status nn2_arch_check(const nn2_arch *a, nn2_error *err);
/* True when network2.py can express the network (all sigmoid, no dropout, its two costs): it
 * is then saved in exactly network2's format. */
NN2_API int nn2_arch_is_network2(const nn2_arch *a);

/* A labelled set of images: a view, nn2 never frees it.
 * images: (count, dim) uint8 pixels, scaled to [0,1] (p/255) when used; labels: (count). */
typedef struct nn2_dataset {
    const uint8_t *images;
    const uint8_t *labels;
    size_t count; /* samples seen, 5x the stored images when expanded */
    int dim;
    int n_classes;
    int rows, cols; /* image shape (rows*cols == dim); needed by expand */
    int expand;     /* the book's expanded set: sample i is stored image i/5, shifted by one
                       pixel: i%5 = 0 as is, 1 down, 2 up, 3 right, 4 left (zeros shifted in) */
} nn2_dataset;

/* The same images expanded 5x, computed on the fly (no copies stored). */
NN2_API nn2_dataset nn2_dataset_expanded(const nn2_dataset *d);

/* An owned IDX image file + label file pair. */
typedef struct nn2_idx_set {
    uint8_t *images; /* (count, rows*cols) */
    uint8_t *labels; /* (count) */
    size_t count;
    int rows, cols;
} nn2_idx_set;

/* MNIST-family data as the book splits it: training = first n_train of the training file,
 * validation = the n_valid after it, test = the t10k file. */
typedef struct nn2_mnist {
    nn2_idx_set train_file, test_file;
    nn2_dataset training, validation, test;
} nn2_mnist;

/* Read one IDX image file (magic 2051) and its label file (magic 2049), raw or gzip.
 * Labels must be < n_classes. labels_path NULL: the images alone (out->labels NULL). */
NN2_API nn2_status nn2_idx_load(nn2_idx_set *out, const char *images_path, const char *labels_path,
                                int n_classes, nn2_error *err);
NN2_API void nn2_idx_free(nn2_idx_set *s);
/* Find train/t10k files in dir under either spelling (train-images-idx3-ubyte or
 * train-images.idx3-ubyte, with or without .gz; "test" for "t10k" too), load and split them.
 * n_train + n_valid must not exceed the training file's count; n_train = 0 takes every image
 * before the validation set. The datasets' n_classes: the largest label of either file plus
 * one, and at least 10. */
NN2_API nn2_status nn2_mnist_load(nn2_mnist *out, const char *dir, size_t n_train, size_t n_valid,
                                  nn2_error *err);
/* The same for files named with a prefix: dir/PREFIXtrain-images-idx3-ubyte and so on
 * (EMNIST's "emnist-letters-train-images-idx3-ubyte.gz", "emnist-letters-test-..."). */
NN2_API nn2_status nn2_idx_dataset_load(nn2_mnist *out, const char *dir, const char *prefix,
                                        size_t n_train, size_t n_valid, nn2_error *err);
NN2_API void nn2_mnist_free(nn2_mnist *m);
/* Resolve the path of one MNIST file ("train-images", "train-labels", "t10k-images",
 * "t10k-labels") in dir; NN2_ERR_IO if no spelling exists. */
NN2_API nn2_status nn2_mnist_find(char *path, size_t cap, const char *dir, const char *stem,
                                  nn2_error *err);
/* The same with a prefix before the stem. */
NN2_API nn2_status nn2_idx_find(char *path, size_t cap, const char *dir, const char *prefix,
                                const char *stem, nn2_error *err);

typedef struct nn2_net nn2_net;

/* sizes: n_layers + 1 neuron counts, e.g. {784, 30, 10}: a sigmoid network. */
NN2_API nn2_status nn2_net_create(nn2_net **out, const int *sizes, int n_sizes, nn2_cost cost,
                                  nn2_error *err);
NN2_API nn2_status nn2_net_create_arch(nn2_net **out, const nn2_arch *arch, nn2_error *err);
NN2_API const nn2_arch *nn2_net_arch(const nn2_net *net);
NN2_API void nn2_net_free(nn2_net *net);
NN2_API void nn2_net_init(nn2_net *net, nn2_init init, uint64_t seed);
NN2_API int nn2_net_n_sizes(const nn2_net *net);
NN2_API const int *nn2_net_sizes(const nn2_net *net);
NN2_API nn2_cost nn2_net_cost(const nn2_net *net);
NN2_API size_t nn2_net_n_params(const nn2_net *net);
/* Weight w[j][k] (from input k to neuron j of weight layer l, 0-based) and bias b[j]. */
NN2_API float nn2_net_weight(const nn2_net *net, int l, int j, int k);
NN2_API float nn2_net_bias(const nn2_net *net, int l, int j);
NN2_API void nn2_net_set_weight(nn2_net *net, int l, int j, int k, float v);
NN2_API void nn2_net_set_bias(nn2_net *net, int l, int j, float v);

/* network2.py's JSON: {"sizes", "weights" (n_out x n_in per layer), "biases" (n x 1),
 * "cost"}. A network network2.py cannot express (other activations, softmax, dropout,
 * log-likelihood) adds "format": "nn2", "version": 1, "activations" (hidden layers), "output"
 * and "dropout". Save writes atomically (temporary file, fsync, rename). */
NN2_API nn2_status nn2_net_save(const nn2_net *net, const char *path, nn2_error *err);
NN2_API nn2_status nn2_net_load(nn2_net **out, const char *path, nn2_error *err);

typedef struct nn2_epoch_stats {
    int epoch;      /* 0-based */
    double seconds; /* training time of this epoch (monitoring excluded) */
    double eta;
    /* NaN where not monitored */
    double eval_cost, train_cost;
    long eval_correct, train_correct; /* -1 where not monitored */
    size_t eval_count, train_count;
    double next_eta; /* the schedule's eta for the next epoch */
    int best_epoch;  /* epoch of the best evaluation accuracy so far (-1: not measured) */
    int stopped;     /* the schedule or early stopping ends training after this epoch */
    int threads;     /* threads used for the rest of this epoch */
    int team_cap;    /* fewer threads than the count asked for have units of their own: this
                        many (the most training uses: nn2_train); 0: all of them have */
    int probed;      /* the automatic count: thread counts timed in this epoch (0: none) */
    int probe_steps; /* steps each of them ran */
    /* The automatic count changed at this epoch's start (src/autocount.h): the count of the
     * epoch before (0: unchanged), its latest figure and the new count's (us a step; the new
     * one's from the first epoch's probe when now_from_probe); retry_after > 0: the new count
     * is one that ran slower before, tried again after sitting out that many epochs. */
    int threads_before;
    double step_us_before, step_us_now;
    int now_from_probe, retry_after;
} nn2_epoch_stats;

typedef enum nn2_reg { NN2_REG_L2, NN2_REG_L1, NN2_REG_COUNT } nn2_reg;
typedef enum nn2_schedule {
    NN2_SCHED_CONSTANT,
    NN2_SCHED_STEP,    /* eta *= step_gamma every step_epochs epochs */
    NN2_SCHED_PLATEAU, /* halve eta after `patience` epochs without a better validation
                          accuracy; stop once eta < eta0 / 128 (the book's rule) */
    NN2_SCHED_COUNT
} nn2_schedule;

/* Thread placement: compact (thread i on core i, NUMA nodes filled in order), spread (threads
 * dealt round-robin over NUMA nodes), none. OMP_PLACES / OMP_PROC_BIND, when set, take over. */
typedef enum nn2_bind { NN2_BIND_NONE, NN2_BIND_COMPACT, NN2_BIND_SPREAD, NN2_BIND_COUNT } nn2_bind;

/* The processes (MPI ranks) of a run that trains one network together; see README, "MPI".
 * NULL everywhere means one process. */
typedef struct nn2_dist nn2_dist;

typedef struct nn2_config {
    int epochs;
    int batch_size;
    double eta;
    double lambda; /* regularization strength */
    nn2_reg reg; /* L2: w <- (1 - eta lambda/n) w - ...; L1: w <- w - (eta lambda/n) sgn(w) - ... */
    double momentum; /* mu: v <- mu v - eta grad C, w <- w + v (0 = network2's plain SGD) */
    int nesterov;    /* Nesterov momentum: w <- w + mu v' - eta grad C */
    nn2_schedule schedule;
    int step_epochs;
    double step_gamma;
    int patience;   /* plateau: epochs without improvement before halving eta */
    int early_stop; /* > 0: stop after this many epochs without a better validation accuracy
                       and restore the best weights */
    uint64_t seed;  /* shuffling and dropout streams; the weights come from nn2_net_init */
    int threads;    /* 0: OMP_NUM_THREADS, else all cores */
    nn2_bind bind;  /* thread placement (default compact; nothing is bound when oversubscribed) */
    int isa;        /* -1: the run-time dispatch's choice; else an nn2_isa (nn2_kernels.h) to
                       force for this run (benchmarks compare kernel sets in one process) */
    int monitor_eval_cost, monitor_eval_accuracy, monitor_train_cost, monitor_train_accuracy;
    /* Checkpoints (see README): the complete training state is written atomically to
     * `checkpoint` every `checkpoint_every` epochs (0 = never) and when training is stopped
     * through `stop`; `resume` continues from such a file (the maths-relevant settings must be
     * the same, else NN2_ERR_ARG). A run killed at any moment and resumed gives the same bits. */
    const char *checkpoint;
    int checkpoint_every;
    const char *resume;
    /* Set (e.g. by a signal handler) to stop after the mini-batch in progress; nn2_train then
     * writes the checkpoint (if any) and returns NN2_ERR_INTERRUPTED. */
    volatile int *stop;
    /* With resume: the metrics of the epochs already done, before training continues. */
    void (*on_resume)(const nn2_epoch_stats *hist, int n, void *user);
    /* Called after every epoch; return non-zero to stop training. */
    int (*on_epoch)(const nn2_epoch_stats *st, void *user);
    /* Called from the training thread every few mini-batches, while the threads train: the
     * network's parameters are only its weights between epochs (in one, the first layer's are
     * stored scaled: the lazy decay), so read them in on_epoch, not here. */
    void (*on_progress)(int epoch, size_t done, size_t total, void *user);
    void *user;
    /* Ranks training together (nn2_dist_init), or NULL. Every rank calls nn2_train with the
     * same network, settings and data; all end with the same weights. Only rank 0 writes the
     * checkpoint; the callbacks run on every rank. A stop request is honoured at the end of
     * an epoch when there are several ranks. */
    nn2_dist *dist;
} nn2_config;

NN2_API void nn2_config_default(nn2_config *c); /* the book's chapter-3 run */

/* The most threads nn2_train will use: cfg->threads if > 0, else OMP_NUM_THREADS or all cores.
 * Training and its evaluation use only as many as get hidden units of their own (see
 * nn2_epoch_stats.team_cap), and in the automatic case, small networks (under 64 MFLOP per
 * mini-batch step) time a few hundred steps of the first epoch with that team, with 1, 2,
 * 4, ... threads and with the team again, and keep the fastest (nn2_epoch_stats.threads);
 * each later epoch then runs the count with the least latest figure, its last whole epoch's
 * or the probe's (src/autocount.h). Results do not depend on it. */
NN2_API int nn2_train_threads(const nn2_config *cfg);

/* Mini-batch SGD with L2 as network2.py's SGD; eval may be NULL. */
NN2_API nn2_status nn2_train(nn2_net *net, const nn2_config *cfg, const nn2_dataset *train,
                             const nn2_dataset *eval, nn2_error *err);

typedef struct nn2_eval_result {
    long correct;
    size_t count;
    double cost; /* network2 total_cost: mean cost + 0.5*(lambda/count)*sum ||w||^2 */
} nn2_eval_result;

NN2_API nn2_status nn2_evaluate(const nn2_net *net, const nn2_dataset *data, double lambda,
                                int threads, nn2_eval_result *out, nn2_error *err);
/* The same count of correct answers without the cost (out->cost = NaN): no per-sample
 * logarithms, no weight norm; what training uses when no cost is monitored. */
NN2_API nn2_status nn2_evaluate_accuracy(const nn2_net *net, const nn2_dataset *data, int threads,
                                         nn2_eval_result *out, nn2_error *err);
/* nn2_evaluate, and from the same forward pass each sample's answer in label[i] (count ints;
 * what nn2_predict gives): a confusion matrix without a second pass. The same bits as those
 * two functions, for any thread count. NN2_ERR_ARG when label is NULL. */
NN2_API nn2_status nn2_evaluate_labels(const nn2_net *net, const nn2_dataset *data, double lambda,
                                       int threads, nn2_eval_result *out, int *label,
                                       nn2_error *err);
/* The network's answer for each sample of data, whose labels are not read (data->labels may be
 * NULL): label[i] the index of its largest output (the first of equals; what nn2_evaluate
 * counts as the answer) and, unless out is NULL, its output activations (sigmoid or softmax)
 * in out[i * n_out .. (i + 1) * n_out), n_out the last of nn2_net_sizes. The same bits for
 * any thread count. NN2_ERR_ARG when the samples' size differs from the network's inputs. */
NN2_API nn2_status nn2_predict(const nn2_net *net, const nn2_dataset *data, int threads, int *label,
                               float *out, nn2_error *err);

/* Per-epoch history files, written atomically. CSV columns: epoch (1-based), seconds, eta,
 * evaluation_cost, evaluation_accuracy, training_cost, training_accuracy (accuracies as
 * fractions; empty where not monitored). JSON: network2's four lists [evaluation_cost,
 * evaluation_accuracy (counts), training_cost, training_accuracy (counts)], empty lists where
 * not monitored. */
/* The learning-rate schedule and early stopping, as a pure function of the accuracies seen:
 * exposed for tests and for callers that run their own loop. */
typedef struct nn2_sched_state {
    double eta, eta0;
    long best;        /* best accuracy so far (-1: none yet) */
    int best_epoch;   /* epoch of the best accuracy */
    int since_best;   /* epochs since the best accuracy */
    int since_change; /* plateau: epochs since the best or the last halving, whichever is later */
} nn2_sched_state;
enum {
    NN2_SCHED_IMPROVED = 1,
    NN2_SCHED_STOP = 2,
    NN2_SCHED_RESTORE_BEST = 4,
    NN2_SCHED_ETA_CHANGED = 8
};
NN2_API void nn2_sched_init(nn2_sched_state *s, const nn2_config *c);
/* After epoch `epoch` (0-based) scored `accuracy` on the evaluation set (-1 when not
 * measured): update eta and the counters; returns NN2_SCHED_* flags. */
NN2_API int nn2_sched_after_epoch(nn2_sched_state *s, const nn2_config *c, int epoch,
                                  long accuracy);

NN2_API nn2_status nn2_metrics_save_csv(const nn2_epoch_stats *h, int n, const char *path,
                                        nn2_error *err);
NN2_API nn2_status nn2_metrics_save_json(const nn2_epoch_stats *h, int n, const char *path,
                                         nn2_error *err);

/* Start MPI when nn2 was built with it (-DNN2_MPI=ON): one rank per process of the mpirun
 * job, or one alone. Built without MPI: one rank, or NN2_ERR_ARG when the environment shows
 * that a launcher started several processes (they would each train alone). */
NN2_API nn2_status nn2_dist_init(int *argc, char ***argv, nn2_dist **out, nn2_error *err);
NN2_API void nn2_dist_finalize(nn2_dist *d);
NN2_API int nn2_dist_rank(const nn2_dist *d); /* 0 for NULL */
NN2_API int nn2_dist_size(const nn2_dist *d); /* 1 for NULL */
/* Training-step traffic so far on this rank: bytes received, steps, collectives. */
NN2_API void nn2_dist_traffic(const nn2_dist *d, uint64_t *bytes, uint64_t *steps, uint64_t *calls);

/* Name of the kernel set in use ("scalar", "avx2", "avx512"). */
NN2_API const char *nn2_isa_name(void);

#ifdef __cplusplus
}
#endif
#endif
