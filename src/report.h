/* report.h: what `nn2 eval --confusion` and `nn2 predict` print from a network's answers: the
 * confusion matrix with each class's recall and precision (and as CSV), and the predictions as
 * CSV. */
#ifndef NN2_REPORT_H
#define NN2_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "nn2.h"

/* counts[y * n_out + p] = how many of the n samples of label y (< n_classes) got answer p
 * (< n_out); counts holds n_classes * n_out. */
void nn2_confusion_count(const int *pred, const uint8_t *labels, size_t n, int n_classes, int n_out,
                         long *counts);

/* The matrix of nn2_confusion_count, one row per true label, one column per answer, then each
 * label's recall (its row's diagonal over the row) and each answer's precision (its column's
 * diagonal over the column); "-" where the row or column is empty. */
void nn2_confusion_print(FILE *f, const long *counts, int n_classes, int n_out);

/* The counts of nn2_confusion_count as CSV in a NUL-terminated buffer of *len characters, which
 * the caller frees: a header `label,answer_0,...`, then one row per true label: the label and
 * its n_out counts. */
nn2_status nn2_confusion_csv(const long *counts, int n_classes, int n_out, char **buf, size_t *len,
                             nn2_error *err);

/* The predictions as CSV in a NUL-terminated buffer of *len characters, which the caller
 * frees: a header `index,prediction,output_0,...`, then one row per sample: its index, its
 * answer pred[i] and its n_out outputs (%.9g, which reads back as the same float). */
nn2_status nn2_predictions_csv(const int *pred, const float *out, size_t n, int n_out, char **buf,
                               size_t *len, nn2_error *err);

#endif
