/* optim.c: SGD with L2 weight decay over flat arena ranges. */
#include "optim.h"

void nn2_sgd_update(float *w, const float *g, size_t count, float decay, float scale)
{
    for (size_t i = 0; i < count; i++) w[i] = decay * w[i] - scale * g[i];
}
