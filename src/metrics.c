/* metrics.c: accuracy and total cost of a network over a dataset (network2's accuracy and
 * total_cost), summed in sample order in double so the value does not depend on threads. */
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "fileio.h"

#include "net.h"
#include "parallel.h"

nn2_status nn2_check_dataset(const nn2_net *net, const nn2_dataset *data, const char *what,
                             nn2_error *err)
{
    if (data->dim != net->sizes[0])
        return nn2_fail(err, NN2_ERR_ARG, "%s: images have %d pixels but the network has %d inputs",
                        what, data->dim, net->sizes[0]);
    if (data->n_classes > net->sizes[net->n_layers])
        return nn2_fail(err, NN2_ERR_ARG, "%s: %d classes but the network has %d outputs", what,
                        data->n_classes, net->sizes[net->n_layers]);
    if (data->expand && (data->rows < 1 || data->cols < 1 || data->rows * data->cols != data->dim))
        return nn2_fail(err, NN2_ERR_ARG, "%s: expansion needs the image shape (%dx%d for %d pixels)",
                        what, data->rows, data->cols, data->dim);
    if (data->count == 0 || data->count > (size_t)INT32_MAX)
        return nn2_fail(err, NN2_ERR_ARG, "%s: %zu samples (need 1..%d)", what, data->count,
                        INT32_MAX);
    return NN2_OK;
}

double nn2_weights_sq_norm(const nn2_net *net)
{
    double s = 0.0;
    for (int l = 0; l < net->n_layers; l++) {
        const float *w = nn2_layer_WT(net, l);
        const size_t n = (size_t)net->layer[l].n_in * net->layer[l].ldw; /* padding is 0 */
        for (size_t i = 0; i < n; i++) s += (double)w[i] * w[i];
    }
    return s;
}

/* p, or p grown, holding at least n elements of elem bytes (*cap of them now); NULL: out of
 * memory (p is still allocated). */
static void *hold(void *p, size_t *cap, size_t n, size_t elem)
{
    if (*cap >= n) return p;
    void *q = realloc(p, n * elem);
    if (q) *cap = n;
    return q;
}

nn2_status nn2_eval_run(const nn2_net *net, const nn2_dataset *data, double lambda, int threads,
                        int with_cost, int *label, nn2_eval_bufs *keep, nn2_eval_result *out,
                        nn2_error *err)
{
    nn2_status st = nn2_check_dataset(net, data, "evaluation data", err);
    if (st != NN2_OK) return st;
    double *cost = NULL;
    uint8_t *correct = NULL;
    int ok_mem;
    if (keep) {
        double *c = with_cost ? hold(keep->cost, &keep->cost_cap, data->count, sizeof(double)) : NULL;
        if (c) keep->cost = c;
        uint8_t *ok = hold(keep->correct, &keep->correct_cap, data->count, 1);
        if (ok) keep->correct = ok;
        ok_mem = (!with_cost || c) && ok;
        cost = c;
        correct = ok;
    } else {
        cost = with_cost ? malloc(sizeof(double) * data->count) : NULL;
        correct = malloc(data->count);
        ok_mem = (!with_cost || cost) && correct;
    }
    if (!ok_mem) {
        if (!keep) {
            free(cost);
            free(correct);
        }
        return nn2_fail(err, NN2_ERR_NOMEM, "out of memory for evaluation");
    }
    st = nn2_par_eval(net, data, threads, cost, correct, label, keep, err);
    if (st == NN2_OK) {
        double c = 0.0;
        long ok = 0;
        for (size_t i = 0; i < data->count; i++) {
            if (cost) c += cost[i];
            ok += correct[i];
        }
        const double n = (double)data->count;
        out->correct = ok;
        out->count = data->count;
        out->cost = cost ? c / n + 0.5 * (lambda / n) * nn2_weights_sq_norm(net) : NAN;
    }
    if (!keep) {
        free(cost);
        free(correct);
    }
    return st;
}

nn2_status nn2_evaluate(const nn2_net *net, const nn2_dataset *data, double lambda, int threads,
                        nn2_eval_result *out, nn2_error *err)
{
    return nn2_eval_run(net, data, lambda, threads, 1, NULL, NULL, out, err);
}

nn2_status nn2_evaluate_labels(const nn2_net *net, const nn2_dataset *data, double lambda,
                               int threads, nn2_eval_result *out, int *label, nn2_error *err)
{
    if (!label) return nn2_fail(err, NN2_ERR_ARG, "nn2_evaluate_labels: no array for the answers");
    return nn2_eval_run(net, data, lambda, threads, 1, label, NULL, out, err);
}

nn2_status nn2_evaluate_accuracy(const nn2_net *net, const nn2_dataset *data, int threads,
                                 nn2_eval_result *out, nn2_error *err)
{
    return nn2_eval_run(net, data, 0.0, threads, 0, NULL, NULL, out, err);
}

nn2_status nn2_predict(const nn2_net *net, const nn2_dataset *data, int threads, int *label,
                       float *out, nn2_error *err)
{
    nn2_dataset d = *data;
    d.n_classes = 0; /* labels are not read */
    nn2_status st = nn2_check_dataset(net, &d, "prediction data", err);
    if (st != NN2_OK) return st;
    if (!label) return nn2_fail(err, NN2_ERR_ARG, "nn2_predict: no array for the labels");
    return nn2_par_predict(net, &d, threads, label, out, err);
}

nn2_status nn2_metrics_save_csv(const nn2_epoch_stats *h, int n, const char *path, nn2_error *err)
{
    size_t cap = 256 + (size_t)n * 160, len = 0;
    char *buf = malloc(cap);
    if (!buf) return nn2_fail(err, NN2_ERR_NOMEM, "%s: out of memory", path);
    len += (size_t)snprintf(buf + len, cap - len,
                            "epoch,seconds,eta,evaluation_cost,evaluation_accuracy,training_cost,"
                            "training_accuracy\n");
    for (int i = 0; i < n; i++) {
        char ec[32] = "", ea[32] = "", tc[32] = "", ta[32] = "";
        if (!isnan(h[i].eval_cost)) snprintf(ec, sizeof ec, "%.9g", h[i].eval_cost);
        if (h[i].eval_correct >= 0)
            snprintf(ea, sizeof ea, "%.6f", (double)h[i].eval_correct / (double)h[i].eval_count);
        if (!isnan(h[i].train_cost)) snprintf(tc, sizeof tc, "%.9g", h[i].train_cost);
        if (h[i].train_correct >= 0)
            snprintf(ta, sizeof ta, "%.6f", (double)h[i].train_correct / (double)h[i].train_count);
        len += (size_t)snprintf(buf + len, cap - len, "%d,%.6f,%.9g,%s,%s,%s,%s\n", h[i].epoch + 1,
                                h[i].seconds, h[i].eta, ec, ea, tc, ta);
    }
    const nn2_status st = nn2_write_atomic(path, buf, len, err);
    free(buf);
    return st;
}

nn2_status nn2_metrics_save_json(const nn2_epoch_stats *h, int n, const char *path,
                                 nn2_error *err)
{
    cJSON *root = cJSON_CreateArray();
    cJSON *lists[4];
    int ok = root != NULL;
    for (int i = 0; i < 4 && ok; i++) {
        lists[i] = cJSON_CreateArray();
        ok = lists[i] != NULL;
        if (ok) cJSON_AddItemToArray(root, lists[i]);
    }
    for (int e = 0; e < n && ok; e++) {
        const double vals[4] = {h[e].eval_cost, (double)h[e].eval_correct, h[e].train_cost,
                                (double)h[e].train_correct};
        const int have[4] = {!isnan(h[e].eval_cost), h[e].eval_correct >= 0,
                             !isnan(h[e].train_cost), h[e].train_correct >= 0};
        for (int i = 0; i < 4 && ok; i++) {
            if (!have[i]) continue;
            cJSON *num = cJSON_CreateNumber(vals[i]);
            ok = num != NULL;
            if (ok) cJSON_AddItemToArray(lists[i], num);
        }
    }
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text) return nn2_fail(err, NN2_ERR_NOMEM, "%s: out of memory", path);
    const nn2_status st = nn2_write_atomic(path, text, strlen(text), err);
    cJSON_free(text);
    return st;
}
