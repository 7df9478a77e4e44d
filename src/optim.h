/* optim.h: parameter updates over flat ranges of the arena. */
#ifndef NN2_OPTIM_H
#define NN2_OPTIM_H

#include <stddef.h>

/* network2.py's SGD with L2, for one range: w <- decay*w - scale*g, where for weights
 * decay = 1 - eta*lambda/n and scale = eta/m (n: training-set size, m: this mini-batch's size);
 * biases use decay = 1. */
void nn2_sgd_update(float *w, const float *g, size_t count, float decay, float scale);

#endif
