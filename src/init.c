/* init.c: weight initialisation in network2.py's draw order: every layer's biases first, then
 * every layer's weights row by row (neuron j, input k), from one xoshiro256** stream.
 * default: w ~ N(0, 1/n_in), b ~ N(0,1); large: both N(0,1); xavier (Glorot):
 * w ~ N(0, 2/(n_in+n_out)), b = 0; he: w ~ N(0, 2/n_in), b = 0. */
#include <math.h>

#include "net.h"
#include "rng.h"

void nn2_net_init(nn2_net *net, nn2_init init, uint64_t seed)
{
    nn2_rng r;
    nn2_rng_seed(&r, seed);
    for (int l = 0; l < net->n_layers; l++) {
        float *b = nn2_layer_b(net, l);
        const int zero_bias = init == NN2_INIT_XAVIER || init == NN2_INIT_HE;
        for (int j = 0; j < net->layer[l].n_out; j++) b[j] = zero_bias ? 0.0f : (float)nn2_rng_normal(&r);
    }
    for (int l = 0; l < net->n_layers; l++) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        double scale;
        switch (init) {
        case NN2_INIT_LARGE: scale = 1.0; break;
        case NN2_INIT_XAVIER: scale = sqrt(2.0 / (double)(n_in + n_out)); break;
        case NN2_INIT_HE: scale = sqrt(2.0 / (double)n_in); break;
        default: scale = 1.0 / sqrt((double)n_in); break;
        }
        float *WT = nn2_layer_WT(net, l);
        for (int j = 0; j < n_out; j++)
            for (int k = 0; k < n_in; k++)
                WT[(size_t)k * net->layer[l].ldw + j] = (float)(nn2_rng_normal(&r) * scale);
    }
}
