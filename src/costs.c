/* costs.c: the output-layer delta (BP1) and the per-sample value (network2's cost.fn) of
 * quadratic and cross-entropy costs on sigmoid outputs, log-likelihood and quadratic on
 * softmax outputs. Values are computed in double from z, so they stay finite for any logits. */
#include <math.h>
#include <string.h>

#include "layers.h"

void nn2_cost_delta(const nn2_kernels *k, const nn2_arch *arch, float *d, const float *a,
                    const uint8_t *labels, int M, int n)
{
    const nn2_act out = arch->act[arch->n_sizes - 2];
    /* a - y: the whole delta for sigmoid + cross-entropy and softmax + log-likelihood, where
     * the cost's derivative cancels the activation's. d, a: (M, n). As a copy, then - 1 at the
     * labels (a - 0 is a): a loop with a branch per element took 300 TSC cycles for B2's 10 x 10,
     * its scalar loads waiting on the activation kernel's masked vector stores; this, 50. */
    memcpy(d, a, sizeof(float) * (size_t)M * (size_t)n);
    for (int r = 0; r < M; r++)
        if (labels[r] < n) d[(size_t)r * n + labels[r]] -= 1.0f;
    if (arch->cost != NN2_COST_QUADRATIC) return;
    if (out == NN2_ACT_SIGMOID) {
        k->act_backward[NN2_KACT_SIGMOID](M * n, d, a); /* (a - y) sigmoid'(z) */
        return;
    }
    /* softmax + quadratic: delta_k = a_k ((a_k - y_k) - sum_i (a_i - y_i) a_i), the softmax
     * Jacobian applied to a - y. */
    for (int r = 0; r < M; r++) {
        float *dr = d + (size_t)r * n;
        const float *ar = a + (size_t)r * n;
        float s = 0.0f;
        for (int i = 0; i < n; i++) s += dr[i] * ar[i];
        for (int j = 0; j < n; j++) dr[j] = ar[j] * (dr[j] - s);
    }
}

static double softplus(double x) { return (x > 0 ? x : 0.0) + log1p(exp(-fabs(x))); }

double nn2_cost_value(const nn2_arch *arch, const nn2_ws *ws, int n_out, int r, int label)
{
    const float *z = ws->zL + (size_t)r * n_out;
    const nn2_act out = arch->act[arch->n_sizes - 2];
    if (out == NN2_ACT_SOFTMAX) {
        /* log-sum-exp, max-subtracted: -ln a_y = lse(z) - z_y */
        double mx = z[0], s = 0.0;
        for (int j = 1; j < n_out; j++) mx = z[j] > mx ? z[j] : mx;
        for (int j = 0; j < n_out; j++) s += exp((double)z[j] - mx);
        const double lse = mx + log(s);
        if (arch->cost == NN2_COST_LOG_LIKELIHOOD) return lse - (double)z[label];
        double c = 0.0; /* quadratic on softmax outputs */
        for (int j = 0; j < n_out; j++) {
            const double a = exp((double)z[j] - lse), y = j == label ? 1.0 : 0.0;
            c += 0.5 * (a - y) * (a - y);
        }
        return c;
    }
    double c = 0.0;
    for (int j = 0; j < n_out; j++) {
        const double y = j == label ? 1.0 : 0.0;
        if (arch->cost == NN2_COST_QUADRATIC) {
            const double a = 1.0 / (1.0 + exp(-(double)z[j]));
            c += 0.5 * (a - y) * (a - y);
        } else {
            /* -[y ln a + (1-y) ln(1-a)] with 0 ln 0 = 0: only the term whose factor is 1 is
             * evaluated, from z: -ln sigmoid(z) = softplus(-z), -ln(1 - sigmoid(z)) =
             * softplus(z). Finite for any finite z, where ln of a saturated float a is not. */
            c += y == 1.0 ? softplus(-(double)z[j]) : softplus((double)z[j]);
        }
    }
    return c;
}
