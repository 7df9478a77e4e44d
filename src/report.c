/* report.c: the confusion matrix and the predictions CSV (report.h). */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report.h"

void nn2_confusion_count(const int *pred, const uint8_t *labels, size_t n, int n_classes, int n_out,
                         long *counts)
{
    memset(counts, 0, sizeof(long) * (size_t)n_classes * (size_t)n_out);
    for (size_t i = 0; i < n; i++)
        if (labels[i] < n_classes && pred[i] >= 0 && pred[i] < n_out)
            counts[(size_t)labels[i] * (size_t)n_out + (size_t)pred[i]]++;
}

/* 100 * part / whole into a 7-character cell, "-" for an empty whole. */
static void percent_cell(FILE *f, long part, long whole)
{
    if (whole > 0) fprintf(f, " %6.2f%%", 100.0 * (double)part / (double)whole);
    else fprintf(f, " %7s", "-");
}

void nn2_confusion_print(FILE *f, const long *counts, int n_classes, int n_out)
{
    fprintf(f, "confusion matrix (rows: true label, columns: answer):\n%9s", "");
    for (int p = 0; p < n_out; p++) fprintf(f, " %7d", p);
    fprintf(f, "   recall\n");
    for (int y = 0; y < n_classes; y++) {
        const long *row = counts + (size_t)y * (size_t)n_out;
        long total = 0;
        fprintf(f, "%9d", y);
        for (int p = 0; p < n_out; p++) {
            fprintf(f, " %7ld", row[p]);
            total += row[p];
        }
        fprintf(f, " ");
        percent_cell(f, y < n_out ? row[y] : 0, total);
        fprintf(f, "\n");
    }
    fprintf(f, "precision");
    for (int p = 0; p < n_out; p++) {
        long total = 0;
        for (int y = 0; y < n_classes; y++) total += counts[(size_t)y * (size_t)n_out + (size_t)p];
        percent_cell(f, p < n_classes ? counts[(size_t)p * (size_t)n_out + (size_t)p] : 0, total);
    }
    fprintf(f, "\n");
}

/* A buffer of cap bytes (NULL if out of memory) that starts with a CSV header line: first, then
 * the columns col_0 ... col_{n-1}; *at is the header's length. */
static char *csv_start(size_t cap, const char *first, const char *col, int n, size_t *at)
{
    char *b = malloc(cap);
    if (!b) return NULL;
    *at = (size_t)snprintf(b, cap, "%s", first);
    for (int j = 0; j < n; j++) *at += (size_t)snprintf(b + *at, cap - *at, ",%s_%d", col, j);
    b[(*at)++] = '\n';
    return b;
}

nn2_status nn2_confusion_csv(const long *counts, int n_classes, int n_out, char **buf, size_t *len,
                             nn2_error *err)
{
    /* a cell: a comma and up to 20 digits; the header's ",answer_N" at most 18 characters */
    size_t row, cap;
    if (!nn2_mul_size((size_t)n_out + 1, 21, &row) || !nn2_mul_size((size_t)n_classes + 1, row + 1, &cap) ||
        cap > SIZE_MAX - 16)
        return nn2_fail(err, NN2_ERR_NOMEM, "confusion matrix: too large");
    cap += 16;
    size_t at;
    char *b = csv_start(cap, "label", "answer", n_out, &at);
    if (!b) return nn2_fail(err, NN2_ERR_NOMEM, "confusion matrix: out of memory (%zu bytes)", cap);
    for (int y = 0; y < n_classes; y++) {
        at += (size_t)snprintf(b + at, cap - at, "%d", y);
        for (int p = 0; p < n_out; p++)
            at += (size_t)snprintf(b + at, cap - at, ",%ld", counts[(size_t)y * (size_t)n_out + (size_t)p]);
        b[at++] = '\n';
    }
    b[at] = '\0';
    *buf = b;
    *len = at;
    return NN2_OK;
}

nn2_status nn2_predictions_csv(const int *pred, const float *out, size_t n, int n_out, char **buf,
                               size_t *len, nn2_error *err)
{
    /* a row: up to 20 digits of index, 11 of answer, and 16 characters (",-1.23456789e-38") per
     * output, and the newline */
    size_t row, cap;
    if (!nn2_mul_size((size_t)n_out, 16, &row) || !nn2_mul_size(n, row + 34, &cap) || cap > SIZE_MAX - 64 - row)
        return nn2_fail(err, NN2_ERR_NOMEM, "predictions: too large");
    cap += 64 + row; /* the header: ",output_N" is at most 16 characters an output too */
    size_t at;
    char *b = csv_start(cap, "index,prediction", "output", n_out, &at);
    if (!b) return nn2_fail(err, NN2_ERR_NOMEM, "predictions: out of memory (%zu bytes)", cap);
    for (size_t i = 0; i < n; i++) {
        at += (size_t)snprintf(b + at, cap - at, "%zu,%d", i, pred[i]);
        for (int j = 0; j < n_out; j++)
            at += (size_t)snprintf(b + at, cap - at, ",%.9g", (double)out[i * (size_t)n_out + (size_t)j]);
        b[at++] = '\n';
    }
    b[at] = '\0'; /* the header's allowance leaves room for it */
    *buf = b;
    *len = at;
    return NN2_OK;
}
