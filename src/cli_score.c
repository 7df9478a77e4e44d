/* cli_score.c: nn2 eval and nn2 predict (cli_score.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_data.h"
#include "cli_score.h"
#include "fileio.h"
#include "report.h"

/* The network's outputs: the last of its sizes. */
static int n_outputs(const nn2_net *net)
{
    return nn2_net_sizes(net)[nn2_net_n_sizes(net) - 1];
}

/* --out, if given, can be written (checked before the data are read): 1, or 0 with a message. */
static int out_writable(const cli_opts *o)
{
    nn2_error err;
    if (!o->out_path || nn2_check_writable(o->out_path, &err) == NN2_OK) return 1;
    fprintf(stderr, "nn2: --out %s\n", err.msg);
    return 0;
}

/* eval --confusion: the answers pred on set (from nn2_evaluate_labels' pass), counted against
 * its labels; with --out, also as CSV there (atomically). */
static int print_confusion(const nn2_net *net, const nn2_dataset *set, const int *pred, const char *out_path)
{
    const int n_out = n_outputs(net);
    long *counts = malloc(sizeof(long) * (size_t)set->n_classes * (size_t)n_out);
    nn2_error err;
    nn2_status st = counts ? NN2_OK : nn2_fail(&err, NN2_ERR_NOMEM, "out of memory for the confusion matrix");
    char *csv = NULL;
    size_t len;
    if (st == NN2_OK) {
        nn2_confusion_count(pred, set->labels, set->count, set->n_classes, n_out, counts);
        nn2_confusion_print(stdout, counts, set->n_classes, n_out);
        if (out_path) st = nn2_confusion_csv(counts, set->n_classes, n_out, &csv, &len, &err);
        if (out_path && st == NN2_OK) st = nn2_write_atomic(out_path, csv, len, &err);
        if (out_path && st == NN2_OK) fprintf(stderr, "nn2: confusion matrix written to %s\n", out_path);
    }
    if (st != NN2_OK) fprintf(stderr, "nn2: %s\n", err.msg);
    free(csv);
    free(counts);
    return st == NN2_OK ? 0 : 1;
}

/* eval --images --labels: the two files as one labelled set, whose labels the network's outputs
 * must cover (any count of classes up to 256, not only MNIST's 10): 0, or the exit status. */
static int load_files(const cli_opts *o, int n_out, nn2_idx_set *s, nn2_dataset *d)
{
    nn2_error err;
    if (nn2_idx_load(s, o->images_path, o->labels_path, 256, &err) != NN2_OK) {
        fprintf(stderr, "nn2: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < s->count; i++) {
        if (s->labels[i] >= n_out) {
            fprintf(stderr, "nn2: %s: label %u of item %zu, but %s has %d outputs\n", o->labels_path,
                    s->labels[i], i, o->model_path, n_out);
            nn2_idx_free(s);
            return 2;
        }
    }
    *d = (nn2_dataset){s->images, s->labels, s->count, s->rows * s->cols, n_out, s->rows, s->cols, 0};
    return 0;
}

int cli_eval(const cli_opts *o)
{
    nn2_error err;
    nn2_net *net;
    nn2_status st = nn2_net_load(&net, o->model_path, &err);
    if (st != NN2_OK) {
        fprintf(stderr, "nn2: %s\n", err.msg);
        return 1;
    }
    if (!out_writable(o)) {
        nn2_net_free(net);
        return 1;
    }
    nn2_mnist m = {0};
    nn2_idx_set files = {0};
    nn2_dataset own;
    const nn2_dataset *set = NULL;
    static const char *const names[] = {"training data", "validation data", "test data"};
    const char *name = o->images_path ? o->images_path : names[o->eval_set];
    int rc;
    if (o->images_path) {
        rc = load_files(o, n_outputs(net), &files, &own);
        set = &own;
    } else {
        cli_opts lo = *o;
        if (o->eval_set == SET_TEST) lo.train_size = lo.validation_size = 0; /* split irrelevant */
        rc = cli_load_data(&lo, &m, NULL);
        if (!rc) set = cli_pick_set(&m, o->eval_set);
    }
    if (rc) {
        nn2_net_free(net);
        return rc;
    }
    nn2_eval_result r;
    const double lambda = o->cfg.lambda;
    int *pred = set && o->confusion ? malloc(sizeof(int) * set->count) : NULL;
    if (!set) st = nn2_fail(&err, NN2_ERR_ARG, "--set: the validation set is empty");
    else if (o->confusion && !pred) st = nn2_fail(&err, NN2_ERR_NOMEM, "out of memory for the answers");
    else if (o->confusion) st = nn2_evaluate_labels(net, set, lambda, o->cfg.threads, &r, pred, &err);
    else st = nn2_evaluate(net, set, lambda, o->cfg.threads, &r, &err);
    if (st != NN2_OK) {
        fprintf(stderr, "nn2: %s: %s\n", o->model_path, err.msg);
        rc = st == NN2_ERR_ARG ? 2 : 1;
    } else {
        printf("accuracy on %s: %ld / %zu (%.2f%%)\n", name, r.correct, r.count,
               100.0 * (double)r.correct / (double)r.count);
        printf("cost on %s: %.6f (%s, lambda %g)\n", name, r.cost, nn2_cost_name(nn2_net_cost(net)), lambda);
        if (o->confusion) rc = print_confusion(net, set, pred, o->out_path);
    }
    free(pred);
    nn2_idx_free(&files);
    if (!o->images_path) nn2_mnist_free(&m);
    nn2_net_free(net);
    return rc;
}

/* predict: the answers and outputs for each image of --images, as CSV into --out or stdout. */
int cli_predict(const cli_opts *o)
{
    nn2_error err;
    nn2_net *net;
    if (nn2_net_load(&net, o->model_path, &err) != NN2_OK) {
        fprintf(stderr, "nn2: %s\n", err.msg);
        return 1;
    }
    if (!out_writable(o)) {
        nn2_net_free(net);
        return 1;
    }
    nn2_idx_set img;
    nn2_status st = nn2_idx_load(&img, o->images_path, NULL, 0, &err);
    if (st != NN2_OK) {
        fprintf(stderr, "nn2: %s\n", err.msg);
        nn2_net_free(net);
        return 1;
    }
    const int n_out = n_outputs(net);
    const nn2_dataset d = {img.images, NULL, img.count, img.rows * img.cols, 0, img.rows, img.cols, 0};
    int *pred = malloc(sizeof(int) * img.count);
    size_t n_vals, bytes;
    const int fits = nn2_mul_size(img.count, (size_t)n_out, &n_vals) && nn2_mul_size(n_vals, sizeof(float), &bytes);
    float *out = fits ? malloc(bytes) : NULL;
    char *csv = NULL;
    size_t len = 0;
    if (!pred || !out) st = nn2_fail(&err, NN2_ERR_NOMEM, "out of memory for %zu predictions", img.count);
    if (st == NN2_OK) {
        st = nn2_predict(net, &d, o->cfg.threads, pred, out, &err);
        if (st == NN2_ERR_ARG) { /* the images do not fit the network: name both files */
            char msg[sizeof err.msg];
            snprintf(msg, sizeof msg, "%s", err.msg);
            nn2_fail(&err, st, "%s (%dx%d) against %s: %s", o->images_path, img.rows, img.cols, o->model_path, msg);
        }
    }
    if (st == NN2_OK) st = nn2_predictions_csv(pred, out, img.count, n_out, &csv, &len, &err);
    if (st == NN2_OK && o->out_path) st = nn2_write_atomic(o->out_path, csv, len, &err);
    else if (st == NN2_OK && (fwrite(csv, 1, len, stdout) != len || fflush(stdout) != 0))
        st = nn2_fail(&err, NN2_ERR_IO, "standard output: write failed");
    if (st != NN2_OK) fprintf(stderr, "nn2: %s\n", err.msg);
    else if (o->out_path) fprintf(stderr, "nn2: %zu predictions written to %s\n", img.count, o->out_path);
    free(csv);
    free(out);
    free(pred);
    nn2_idx_free(&img);
    nn2_net_free(net);
    return st == NN2_OK ? 0 : st == NN2_ERR_ARG ? 2 : 1; /* 2: the images do not fit the model, as in eval */
}
