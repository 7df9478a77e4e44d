/* costs.c: quadratic and cross-entropy costs: the output-layer delta (BP1) and the per-sample
 * value (network2's cost.fn), for sigmoid output neurons. */
#include <math.h>

#include "layers.h"

void nn2_cost_delta(const nn2_kernels *k, nn2_cost cost, float *d, const float *a,
                    const uint8_t *labels, int M, int n)
{
    /* BP1: delta_L = dC/da * sigmoid'(z_L). Cross-entropy cancels sigmoid': delta = a - y.
     * Quadratic keeps it: delta = (a - y) * a * (1 - a). d, a: (M, n). */
    for (int r = 0; r < M; r++)
        for (int j = 0; j < n; j++)
            d[(size_t)r * n + j] = a[(size_t)r * n + j] - (j == labels[r] ? 1.0f : 0.0f);
    if (cost == NN2_COST_QUADRATIC) k->act_backward[NN2_KACT_SIGMOID](M * n, d, a);
}

static double softplus(double x) { return (x > 0 ? x : 0.0) + log1p(exp(-fabs(x))); }

double nn2_cost_value(nn2_cost cost, const nn2_ws *ws, int n_out, int r, int label)
{
    double c = 0.0;
    const float *z = ws->zL + (size_t)r * n_out;
    for (int j = 0; j < n_out; j++) {
        const double y = j == label ? 1.0 : 0.0;
        if (cost == NN2_COST_QUADRATIC) {
            /* 0.5 * ||a - y||^2 with a = sigmoid(z), in double */
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

int nn2_argmax_row(const nn2_ws *ws, int n_out, int r)
{
    /* On z rather than a = sigmoid(z): same order, but no ties from float saturation at 1. */
    const float *a = ws->zL + (size_t)r * n_out;
    int best = 0;
    for (int j = 1; j < n_out; j++)
        if (a[j] > a[best]) best = j;
    return best;
}
