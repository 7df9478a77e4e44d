/* autocount.c: the automatic thread count from epoch to epoch (autocount.h). */
#include "autocount.h"
#include "common.h"

static int index_of(const nn2_autocount *a, int count)
{
    for (int i = 0; i < a->n; i++)
        if (a->count[i] == count) return i;
    return -1;
}

/* The index with the least est, fewer threads on a tie. */
static int least(const nn2_autocount *a)
{
    int b = 0;
    for (int i = 1; i < a->n; i++)
        if (a->est[i] < a->est[b] || (a->est[i] == a->est[b] && a->count[i] < a->count[b])) b = i;
    return b;
}

/* The least est, keeping index k unless another is under NN2_AUTO_MARGIN times its. */
static int least_but(const nn2_autocount *a, int k)
{
    const int b = least(a);
    return a->est[b] < NN2_AUTO_MARGIN * a->est[k] ? b : k;
}

int nn2_auto_init(nn2_autocount *a, int n, const int *count, const double *secs)
{
    NN2_ASSERT(n >= 1);
    a->n = 0;
    for (int r = 0; r < n; r++) {
        int i = index_of(a, count[r]);
        if (i < 0) {
            if (a->n == NN2_AUTO_MAX) continue;
            i = a->n++;
            a->count[i] = count[r];
            a->probe[i] = secs[r];
        } else if (secs[r] < a->probe[i]) {
            a->probe[i] = secs[r];
        }
    }
    for (int i = 0; i < a->n; i++) {
        a->est[i] = a->probe[i];
        a->measured[i] = a->failed[i] = a->idle[i] = a->sit[i] = 0;
        a->next_sit[i] = 1;
    }
    a->last = least(a);
    return a->count[a->last];
}

int nn2_auto_next(nn2_autocount *a, int *retry_after)
{
    int retry = -1; /* a count that failed and has sat out its epochs (the fastest probe first) */
    for (int i = 0; i < a->n; i++)
        if (i != a->last && a->failed[i] && ++a->idle[i] >= a->sit[i] &&
            (retry < 0 || a->probe[i] < a->probe[retry]))
            retry = i;
    if (retry_after) *retry_after = retry >= 0 ? a->idle[retry] : 0;
    a->last = retry >= 0 ? retry : least_but(a, a->last);
    a->idle[a->last] = 0;
    return a->count[a->last];
}

void nn2_auto_record(nn2_autocount *a, int count, double secs)
{
    const int i = index_of(a, count);
    if (i < 0) return;
    int fail = 0; /* another count's latest figure would take its place */
    for (int j = 0; j < a->n; j++) fail |= j != i && a->est[j] < NN2_AUTO_MARGIN * secs;
    if (fail) { /* sit out, longer after each failed try */
        a->sit[i] = a->next_sit[i];
        a->next_sit[i] = 2 * a->next_sit[i] < NN2_AUTO_MAX_WAIT ? 2 * a->next_sit[i] : NN2_AUTO_MAX_WAIT;
    } else {
        a->next_sit[i] = 1;
    }
    a->failed[i] = fail;
    a->est[i] = secs;
    a->measured[i] = 1;
    a->idle[i] = 0;
}

double nn2_auto_figure(const nn2_autocount *a, int count, int *from_probe)
{
    const int i = index_of(a, count);
    if (i < 0) return -1;
    if (from_probe) *from_probe = !a->measured[i];
    return a->est[i];
}
