/* balance.c: slices per thread from their measured speeds (see balance.h). */
#include "balance.h"

void nn2_balance_counts(int S, int nt, const double *c, const int *cap, int *n)
{
    for (int t = 0; t < nt; t++) n[t] = 1;
    for (int s = nt; s < S; s++) {
        int best = -1;
        for (int t = 0; t < nt; t++)
            if (n[t] < cap[t] && (best < 0 || (n[t] + 1) * c[t] < (n[best] + 1) * c[best]))
                best = t;
        if (best < 0) return; /* the caps are full (not with caps summing to S) */
        n[best]++;
    }
}

double nn2_balance_time(int nt, const double *c, const int *n)
{
    double m = 0.0;
    for (int t = 0; t < nt; t++)
        if (n[t] * c[t] > m) m = n[t] * c[t];
    return m;
}
