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

typedef enum nn2_status {
    NN2_OK = 0,
    NN2_ERR_IO = -1,      /* a file could not be opened, read or written */
    NN2_ERR_FORMAT = -2,  /* a file's content is malformed */
    NN2_ERR_ARG = -3,     /* an argument is out of range */
    NN2_ERR_NOMEM = -4,   /* an allocation failed or a size overflowed */
    NN2_ERR_NUMERIC = -5, /* training produced a non-finite value */
} nn2_status;

typedef struct nn2_error {
    char msg[512];
} nn2_error;

const char *nn2_strerror(nn2_status s);

#define NN2_MAX_LAYERS 16 /* weight layers; sizes[] may have NN2_MAX_LAYERS + 1 entries */

typedef enum nn2_cost {
    NN2_COST_QUADRATIC,
    NN2_COST_CROSS_ENTROPY,
    NN2_COST_COUNT
} nn2_cost;

typedef enum nn2_init {
    NN2_INIT_DEFAULT, /* weights N(0, 1/n_in), biases N(0, 1) */
    NN2_INIT_LARGE,   /* weights and biases N(0, 1) */
    NN2_INIT_COUNT
} nn2_init;

const char *nn2_cost_name(nn2_cost c); /* "CrossEntropyCost", "QuadraticCost" */

/* A labelled set of images: a view, nn2 never frees it.
 * images: (count, dim) uint8 pixels, scaled to [0,1] (p/255) when used; labels: (count). */
typedef struct nn2_dataset {
    const uint8_t *images;
    const uint8_t *labels;
    size_t count;
    int dim;
    int n_classes;
} nn2_dataset;

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
 * Labels must be < n_classes. */
nn2_status nn2_idx_load(nn2_idx_set *out, const char *images_path, const char *labels_path,
                        int n_classes, nn2_error *err);
void nn2_idx_free(nn2_idx_set *s);
/* Find train/t10k files in dir under either spelling (train-images-idx3-ubyte or
 * train-images.idx3-ubyte, with or without .gz), load and split them. n_train + n_valid
 * must not exceed the training file's count; n_train = 0 takes every image before the
 * validation set. */
nn2_status nn2_mnist_load(nn2_mnist *out, const char *dir, size_t n_train, size_t n_valid,
                          nn2_error *err);
void nn2_mnist_free(nn2_mnist *m);
/* Resolve the path of one MNIST file ("train-images", "train-labels", "t10k-images",
 * "t10k-labels") in dir; NN2_ERR_IO if no spelling exists. */
nn2_status nn2_mnist_find(char *path, size_t cap, const char *dir, const char *stem,
                          nn2_error *err);

typedef struct nn2_net nn2_net;

/* sizes: n_layers + 1 neuron counts, e.g. {784, 30, 10}. */
nn2_status nn2_net_create(nn2_net **out, const int *sizes, int n_sizes, nn2_cost cost,
                          nn2_error *err);
void nn2_net_free(nn2_net *net);
void nn2_net_init(nn2_net *net, nn2_init init, uint64_t seed);
int nn2_net_n_sizes(const nn2_net *net);
const int *nn2_net_sizes(const nn2_net *net);
nn2_cost nn2_net_cost(const nn2_net *net);
size_t nn2_net_n_params(const nn2_net *net);
/* Weight w[j][k] (from input k to neuron j of weight layer l, 0-based) and bias b[j]. */
float nn2_net_weight(const nn2_net *net, int l, int j, int k);
float nn2_net_bias(const nn2_net *net, int l, int j);
void nn2_net_set_weight(nn2_net *net, int l, int j, int k, float v);
void nn2_net_set_bias(nn2_net *net, int l, int j, float v);

/* network2.py's JSON: {"sizes", "weights" (n_out x n_in per layer), "biases" (n x 1),
 * "cost"}. Save writes atomically (temporary file, fsync, rename). */
nn2_status nn2_net_save(const nn2_net *net, const char *path, nn2_error *err);
nn2_status nn2_net_load(nn2_net **out, const char *path, nn2_error *err);

typedef struct nn2_epoch_stats {
    int epoch;      /* 0-based */
    double seconds; /* training time of this epoch (monitoring excluded) */
    double eta;
    /* NaN where not monitored */
    double eval_cost, train_cost;
    long eval_correct, train_correct; /* -1 where not monitored */
    size_t eval_count, train_count;
} nn2_epoch_stats;

typedef struct nn2_config {
    int epochs;
    int batch_size;
    double eta;
    double lambda; /* L2 */
    uint64_t seed; /* shuffling stream; the weights come from nn2_net_init */
    int threads;   /* 0: OMP_NUM_THREADS, else all cores */
    int monitor_eval_cost, monitor_eval_accuracy, monitor_train_cost, monitor_train_accuracy;
    /* Called after every epoch; return non-zero to stop training. */
    int (*on_epoch)(const nn2_epoch_stats *st, void *user);
    /* Called from the training thread every few mini-batches. */
    void (*on_progress)(int epoch, size_t done, size_t total, void *user);
    void *user;
} nn2_config;

void nn2_config_default(nn2_config *c); /* the book's chapter-3 run */

/* Mini-batch SGD with L2 as network2.py's SGD; eval may be NULL. */
nn2_status nn2_train(nn2_net *net, const nn2_config *cfg, const nn2_dataset *train,
                     const nn2_dataset *eval, nn2_error *err);

typedef struct nn2_eval_result {
    long correct;
    size_t count;
    double cost; /* network2 total_cost: mean cost + 0.5*(lambda/count)*sum ||w||^2 */
} nn2_eval_result;

nn2_status nn2_evaluate(const nn2_net *net, const nn2_dataset *data, double lambda, int threads,
                        nn2_eval_result *out, nn2_error *err);

/* Per-epoch history files, written atomically. CSV columns: epoch (1-based), seconds, eta,
 * evaluation_cost, evaluation_accuracy, training_cost, training_accuracy (accuracies as
 * fractions; empty where not monitored). JSON: network2's four lists [evaluation_cost,
 * evaluation_accuracy (counts), training_cost, training_accuracy (counts)], empty lists where
 * not monitored. */
nn2_status nn2_metrics_save_csv(const nn2_epoch_stats *h, int n, const char *path, nn2_error *err);
nn2_status nn2_metrics_save_json(const nn2_epoch_stats *h, int n, const char *path,
                                 nn2_error *err);

/* Name of the kernel set in use ("scalar", "avx2", "avx512"). */
const char *nn2_isa_name(void);

#ifdef __cplusplus
}
#endif
#endif
