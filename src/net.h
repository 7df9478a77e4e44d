/* net.h: the network: one flat parameter arena, layer views into it. Weights are stored
 * input-major, WT (n_in, ldw) with rows padded to ldw = n_out rounded up to 16 floats (64 bytes),
 * so that the forward product, the weight gradient and the update all run along contiguous,
 * cache-line-aligned rows and a thread can own whole 16-column slices; the padding stays 0.
 * JSON I/O transposes to network2's (n_out, n_in). */
#ifndef NN2_NET_H
#define NN2_NET_H

#include "common.h"

typedef struct nn2_layer {
    int n_in, n_out;
    int ldw;       /* row stride of WT and length of b: n_out rounded up to 16 */
    size_t offset; /* of WT in the arena (floats); b (ldw) follows at offset + n_in*ldw */
} nn2_layer;

static inline int nn2_round16(int n) { return (n + 15) / 16 * 16; }

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
    return net->params + net->layer[l].offset; /* (n_in, ldw) */
}
static inline float *nn2_layer_b(const nn2_net *net, int l)
{
    return net->params + net->layer[l].offset + (size_t)net->layer[l].n_in * net->layer[l].ldw;
}
/* Same layout in any arena of n_params floats (gradients, velocities). */
static inline float *nn2_arena_WT(const nn2_net *net, float *arena, int l)
{
    return arena + net->layer[l].offset;
}
static inline float *nn2_arena_b(const nn2_net *net, float *arena, int l)
{
    return arena + net->layer[l].offset + (size_t)net->layer[l].n_in * net->layer[l].ldw;
}

/* Largest layer width accepted, and most parameters: refuse absurd sizes before allocating. */
#define NN2_MAX_WIDTH (1 << 20)
#define NN2_MAX_PARAMS ((size_t)1 << 31)

/* metrics.c */
nn2_status nn2_check_dataset(const nn2_net *net, const nn2_dataset *data, const char *what,
                             nn2_error *err);
double nn2_weights_sq_norm(const nn2_net *net);

#endif
