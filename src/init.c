/* init.c: weight initialisation in network2.py's draw order: every layer's biases first, then
 * every layer's weights row by row (neuron j, input k), from one xoshiro256** stream. */
#include <math.h>

#include "net.h"
#include "rng.h"

void nn2_net_init(nn2_net *net, nn2_init init, uint64_t seed)
{
    nn2_rng r;
    nn2_rng_seed(&r, seed);
    for (int l = 0; l < net->n_layers; l++) {
        float *b = nn2_layer_b(net, l);
        for (int j = 0; j < net->layer[l].n_out; j++) b[j] = (float)nn2_rng_normal(&r);
    }
    for (int l = 0; l < net->n_layers; l++) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        const double scale = init == NN2_INIT_LARGE ? 1.0 : 1.0 / sqrt((double)n_in);
        float *WT = nn2_layer_WT(net, l);
        for (int j = 0; j < n_out; j++)
            for (int k = 0; k < n_in; k++)
                WT[(size_t)k * n_out + j] = (float)(nn2_rng_normal(&r) * scale);
    }
}
