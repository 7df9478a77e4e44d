/* test_predict.c: nn2_predict (what `nn2 predict` and `nn2 eval --confusion` print) on trained
 * networks of each output and hidden activation:
 *  - every output against a float64 forward pass written here from the weights, and every answer
 *    the float64 one unless its top two outputs are a near-tie;
 *  - the same bits on 1, 2 and 3 threads, with or without labels in the data;
 *  - the answers nn2_evaluate counts as correct, and softmax rows summing to 1;
 *  - data of the wrong size refused;
 *  - the confusion matrix, its printout and its CSV on a known answer, and the predictions' CSV
 *    read back bit for bit. */
#define _GNU_SOURCE /* open_memstream */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "test_nets.h"

enum { N = 517, ROWS = 5, COLS = 10, DIM = ROWS * COLS, MAXW = 64 };

/* Sample i's outputs in float64 from the network's weights, into y (n_out of them). */
static void forward64(const nn2_net *net, const uint8_t *px, double *y)
{
    const nn2_arch *a = nn2_net_arch(net);
    double x[MAXW], z[MAXW];
    for (int k = 0; k < DIM; k++) x[k] = px[k] / 255.0;
    for (int l = 0; l + 1 < a->n_sizes; l++) {
        const int n_in = a->sizes[l], n_out = a->sizes[l + 1];
        double mx = -INFINITY, sum = 0.0;
        for (int j = 0; j < n_out; j++) {
            z[j] = nn2_net_bias(net, l, j);
            for (int k = 0; k < n_in; k++) z[j] += (double)nn2_net_weight(net, l, j, k) * x[k];
            mx = z[j] > mx ? z[j] : mx;
        }
        for (int j = 0; j < n_out; j++) {
            switch (a->act[l]) {
            case NN2_ACT_SIGMOID: x[j] = 1.0 / (1.0 + exp(-z[j])); break;
            case NN2_ACT_TANH: x[j] = tanh(z[j]); break;
            case NN2_ACT_RELU: x[j] = z[j] > 0 ? z[j] : 0.0; break;
            default: x[j] = exp(z[j] - mx); sum += x[j]; break;
            }
        }
        for (int j = 0; j < n_out && sum > 0; j++) x[j] /= sum;
    }
    for (int j = 0; j < a->sizes[a->n_sizes - 1]; j++) y[j] = x[j];
}

static void check_net(const config *cf, const int *sizes, int depth, const nn2_dataset *d)
{
    nn2_net *net = config_net(cf, sizes, depth);
    nn2_config c;
    config_train(&c, cf, 2, 10, 1);
    nn2_error err;
    CHECK(nn2_train(net, &c, d, NULL, &err) == NN2_OK, "%s: train: %s", cf->name, err.msg);
    const int n_out = sizes[depth - 1];
    static int label[3][N];
    static float out[3][N * MAXW];
    nn2_dataset unlabelled = *d;
    unlabelled.labels = NULL;
    for (int t = 0; t < 3; t++) {
        CHECK(nn2_predict(net, t == 2 ? &unlabelled : d, t + 1, label[t], out[t], &err) == NN2_OK, "%s: %s",
              cf->name, err.msg);
        if (t == 0) continue;
        CHECK(memcmp(label[t], label[0], sizeof(int) * N) == 0, "%s: answers on %d threads differ", cf->name, t + 1);
        CHECK(memcmp(out[t], out[0], sizeof(float) * N * (size_t)n_out) == 0, "%s: outputs on %d threads differ",
              cf->name, t + 1);
    }
    double worst = 0.0, worst_sum = 0.0;
    long correct = 0;
    int far_ties = 0;
    for (int i = 0; i < N; i++) {
        double y[MAXW], sum = 0.0;
        forward64(net, d->images + (size_t)i * DIM, y);
        const float *o = out[0] + (size_t)i * n_out;
        int best = 0, second = -1;
        for (int j = 0; j < n_out; j++) {
            worst = max_nan(worst, fabs((double)o[j] - y[j]));
            sum += o[j];
            if (y[j] > y[best]) second = best, best = j;
            else if (j != best && (second < 0 || y[j] > y[second])) second = j;
            CHECK(o[j] <= o[label[0][i]], "%s: sample %d: output %d above the answer %d's", cf->name, i, j,
                  label[0][i]);
        }
        if (label[0][i] != best && y[best] - y[second] > 1e-5) far_ties++;
        if (cf->out == NN2_ACT_SOFTMAX) worst_sum = max_nan(worst_sum, fabs(sum - 1.0));
        correct += label[0][i] == d->labels[i];
    }
    CHECK(worst < 2e-5, "%s: outputs %.3g from float64", cf->name, worst);
    CHECK(far_ties == 0, "%s: %d answers differ from float64 without a near-tie", cf->name, far_ties);
    CHECK(worst_sum < 1e-5, "%s: softmax rows sum to 1 within %.3g", cf->name, worst_sum);
    nn2_eval_result r;
    CHECK(nn2_evaluate_accuracy(net, d, 2, &r, &err) == NN2_OK && r.correct == correct,
          "%s: nn2_evaluate counts %ld correct, the answers %ld", cf->name, r.correct, correct);
    /* nn2_evaluate_labels: nn2_evaluate's result and nn2_predict's answers from one pass */
    nn2_eval_result full;
    CHECK(nn2_evaluate(net, d, 0.5, 1, &full, &err) == NN2_OK, "%s: %s", cf->name, err.msg);
    for (int t = 0; t < 3; t++) {
        static int both[N];
        nn2_eval_result e;
        memset(both, 0xff, sizeof both);
        CHECK(nn2_evaluate_labels(net, d, 0.5, t + 1, &e, both, &err) == NN2_OK, "%s: %s", cf->name, err.msg);
        CHECK(memcmp(both, label[0], sizeof both) == 0, "%s: nn2_evaluate_labels' answers on %d threads differ",
              cf->name, t + 1);
        CHECK(e.correct == full.correct && e.count == full.count && memcmp(&e.cost, &full.cost, sizeof e.cost) == 0,
              "%s: nn2_evaluate_labels on %d threads: %ld, %.17g against nn2_evaluate's %ld, %.17g", cf->name,
              t + 1, e.correct, e.cost, full.correct, full.cost);
    }
    CHECK(nn2_evaluate_labels(net, d, 0.5, 1, &r, NULL, &err) == NN2_ERR_ARG && strstr(err.msg, "answers"),
          "%s: no array for the answers: %s", cf->name, err.msg);
    printf("%s: %d answers, %ld correct, outputs within %.3g of float64\n", cf->name, N, correct, worst);

    /* data of another size: refused, naming both sizes */
    nn2_dataset small = *d;
    small.dim = DIM - 1;
    CHECK(nn2_predict(net, &small, 1, label[1], NULL, &err) == NN2_ERR_ARG && strstr(err.msg, "49 pixels") &&
              strstr(err.msg, "50 inputs"),
          "%s: wrong size: %s", cf->name, err.msg);
    small = *d;
    small.count = 0;
    CHECK(nn2_predict(net, &small, 1, label[1], NULL, &err) == NN2_ERR_ARG, "%s: no samples: %s", cf->name, err.msg);
    nn2_net_free(net);
}

static void check_confusion(void)
{
    const int pred[8] = {0, 1, 1, 2, 2, 2, 9, 7};
    const uint8_t lab[8] = {0, 1, 2, 2, 2, 1, 0, 2};
    long counts[3 * 10];
    nn2_confusion_count(pred, lab, 8, 3, 10, counts);
    long want[3 * 10] = {0};
    want[0 * 10 + 0] = 1, want[0 * 10 + 9] = 1, want[1 * 10 + 1] = 1, want[1 * 10 + 2] = 1;
    want[2 * 10 + 1] = 1, want[2 * 10 + 2] = 2, want[2 * 10 + 7] = 1;
    CHECK(memcmp(counts, want, sizeof want) == 0, "confusion counts");
    /* printed: the first 4 columns of want, as if the network had 4 outputs */
    long four[12];
    for (int y = 0; y < 3; y++)
        for (int p = 0; p < 4; p++) four[y * 4 + p] = want[y * 10 + p];
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    NN2_ASSERT(f != NULL);
    nn2_confusion_print(f, four, 3, 4);
    fclose(f);
    const char *expect = "confusion matrix (rows: true label, columns: answer):\n"
                         "                0       1       2       3   recall\n"
                         "        0       1       0       0       0  100.00%\n"
                         "        1       0       1       1       0   50.00%\n"
                         "        2       0       1       2       0   66.67%\n"
                         "precision 100.00%  50.00%  66.67%       -\n";
    CHECK(strcmp(text, expect) == 0, "confusion printout:\n%s\nwant:\n%s", text, expect);
    free(text);
    /* and as CSV, with a count of 12 digits */
    four[1 * 4 + 3] = 123456789012L;
    char *csv = NULL;
    size_t csv_len = 0;
    nn2_error err;
    NN2_ASSERT(nn2_confusion_csv(four, 3, 4, &csv, &csv_len, &err) == NN2_OK);
    const char *expect_csv = "label,answer_0,answer_1,answer_2,answer_3\n"
                             "0,1,0,0,0\n"
                             "1,0,1,1,123456789012\n"
                             "2,0,1,2,0\n";
    CHECK(strcmp(csv, expect_csv) == 0 && csv_len == strlen(expect_csv), "confusion CSV:\n%s\nwant:\n%s", csv,
          expect_csv);
    free(csv);
}

static void check_csv(void)
{
    const int pred[3] = {2, 0, 1};
    const float out[9] = {0.1f, 0.2f, 0.7f, 1.0f, 1e-38f, 0.0f, 3.0e-7f, 0.99999994f, 0.33333334f};
    char *csv;
    size_t len;
    nn2_error err;
    NN2_ASSERT(nn2_predictions_csv(pred, out, 3, 3, &csv, &len, &err) == NN2_OK);
    CHECK(strlen(csv) >= len && strncmp(csv, "index,prediction,output_0,output_1,output_2\n", 44) == 0, "CSV header");
    const char *p = strchr(csv, '\n') + 1;
    for (int i = 0; i < 3; i++) {
        char *end;
        CHECK(strtol(p, &end, 10) == i && *end == ',', "row %d index", i);
        CHECK(strtol(end + 1, &end, 10) == pred[i], "row %d answer", i);
        for (int j = 0; j < 3; j++) {
            CHECK(*end == ',', "row %d: a comma before output %d", i, j);
            const float v = strtof(end + 1, &end);
            CHECK(memcmp(&v, &out[i * 3 + j], sizeof v) == 0, "row %d output %d: %.9g read back as %.9g", i, j,
                  (double)out[i * 3 + j], (double)v);
        }
        CHECK(*end == '\n', "row %d ends", i);
        p = end + 1;
    }
    CHECK((size_t)(p - csv) == len, "CSV length %zu, rows end at %zu", len, (size_t)(p - csv));
    free(csv);
}

int main(void)
{
    static uint8_t px[N * DIM], lab[N];
    for (int i = 0; i < N * DIM; i++) px[i] = (uint8_t)((i * 2654435761u) >> 24);
    for (int i = 0; i < N; i++) lab[i] = (uint8_t)(((unsigned)i * 7u + px[i * DIM]) % 10);
    const nn2_dataset d = {px, lab, N, DIM, 10, ROWS, COLS, 0};
    const config configs[] = {
        {"sigmoid cross-entropy", NN2_ACT_SIGMOID, NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY, 0, 0, 0, NN2_REG_L2},
        {"relu softmax", NN2_ACT_RELU, NN2_ACT_SOFTMAX, NN2_COST_LOG_LIKELIHOOD, 0.3f, 0.9, 0, NN2_REG_L2},
        {"tanh sigmoid quadratic", NN2_ACT_TANH, NN2_ACT_SIGMOID, NN2_COST_QUADRATIC, 0, 0, 0, NN2_REG_L1},
    };
    const int s3[3] = {DIM, 23, 10}, s4[4] = {DIM, 40, 17, 12}, s2[2] = {DIM, 10};
    check_net(&configs[0], s3, 3, &d);
    check_net(&configs[1], s4, 4, &d);
    check_net(&configs[2], s3, 3, &d);
    check_net(&configs[0], s2, 2, &d);
    check_confusion();
    check_csv();
    return test_end("predict");
}
