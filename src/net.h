/* net.h: the network: one flat parameter arena, layer views into it. Weights are stored
 * input-major, WT (n_in, n_out), so that the forward product, the weight gradient and the
 * update all run along contiguous rows of n_out; JSON I/O transposes to network2's (n_out, n_in). */
#ifndef NN2_NET_H
#define NN2_NET_H

#include "common.h"

typedef struct nn2_layer {
    int n_in, n_out;
    size_t offset; /* of WT in the arena (floats); b follows at offset + n_in*n_out */
} nn2_layer;

struct nn2_net {
    nn2_arch arch;                 /* sizes, activations, dropout, cost */
    int n_layers;                  /* weight layers L = n_sizes - 1 */
    int sizes[NN2_MAX_LAYERS + 1]; /* neurons per layer, sizes[0] = inputs (= arch.sizes) */
    nn2_cost cost;                 /* = arch.cost */
    size_t n_params;   /* floats in the arena, padding included */
    float *params;     /* (n_params) all WT and b, each layer's block 64-byte aligned */
    nn2_layer layer[NN2_MAX_LAYERS];
};

static inline float *nn2_layer_WT(const nn2_net *net, int l)
{
    return net->params + net->layer[l].offset; /* (n_in, n_out) */
}
static inline float *nn2_layer_b(const nn2_net *net, int l)
{
    return net->params + net->layer[l].offset + (size_t)net->layer[l].n_in * net->layer[l].n_out;
}
/* Same layout in any arena of n_params floats (gradients, velocities). */
static inline float *nn2_arena_WT(const nn2_net *net, float *arena, int l)
{
    return arena + net->layer[l].offset;
}
static inline float *nn2_arena_b(const nn2_net *net, float *arena, int l)
{
    return arena + net->layer[l].offset + (size_t)net->layer[l].n_in * net->layer[l].n_out;
}

/* Largest layer width accepted, and most parameters: refuse absurd sizes before allocating. */
#define NN2_MAX_WIDTH (1 << 20)
#define NN2_MAX_PARAMS ((size_t)1 << 31)

/* metrics.c */
nn2_status nn2_check_dataset(const nn2_net *net, const nn2_dataset *data, const char *what,
                             nn2_error *err);
double nn2_weights_sq_norm(const nn2_net *net);

#endif
