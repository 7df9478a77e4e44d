/* net.c: nn2_net create/free, the parameter arena and accessors. */
#include <string.h>

#include "net.h"

const char *nn2_cost_name(nn2_cost c)
{
    switch (c) {
    case NN2_COST_QUADRATIC: return "QuadraticCost";
    case NN2_COST_CROSS_ENTROPY: return "CrossEntropyCost";
    default: return "?";
    }
}

nn2_status nn2_net_create(nn2_net **out, const int *sizes, int n_sizes, nn2_cost cost,
                          nn2_error *err)
{
    *out = NULL;
    if (n_sizes < 2 || n_sizes > NN2_MAX_LAYERS + 1)
        return nn2_fail(err, NN2_ERR_ARG, "sizes: need 2 to %d layers, got %d",
                        NN2_MAX_LAYERS + 1, n_sizes);
    if (cost < 0 || cost >= NN2_COST_COUNT)
        return nn2_fail(err, NN2_ERR_ARG, "cost: unknown cost %d", (int)cost);
    size_t total = 0;
    for (int i = 0; i < n_sizes; i++)
        if (sizes[i] < 1 || sizes[i] > NN2_MAX_WIDTH)
            return nn2_fail(err, NN2_ERR_ARG, "sizes: layer %d has %d neurons (allowed 1..%d)",
                            i, sizes[i], NN2_MAX_WIDTH);
    for (int l = 0; l + 1 < n_sizes; l++) {
        const size_t block = (size_t)(sizes[l] + 1) * (size_t)sizes[l + 1];
        total += (block + 15) / 16 * 16;
        if (total > NN2_MAX_PARAMS)
            return nn2_fail(err, NN2_ERR_ARG,
                            "sizes: more than %zu parameters; refusing to allocate",
                            NN2_MAX_PARAMS);
    }
    nn2_net *net = calloc(1, sizeof *net);
    if (!net) return nn2_fail(err, NN2_ERR_NOMEM, "out of memory");
    net->n_layers = n_sizes - 1;
    memcpy(net->sizes, sizes, sizeof(int) * (size_t)n_sizes);
    net->cost = cost;
    size_t off = 0;
    for (int l = 0; l < net->n_layers; l++) {
        net->layer[l] = (nn2_layer){.n_in = sizes[l], .n_out = sizes[l + 1], .offset = off};
        const size_t block = (size_t)(sizes[l] + 1) * (size_t)sizes[l + 1];
        off += (block + 15) / 16 * 16;
    }
    net->n_params = off;
    net->params = nn2_alloc(off, sizeof(float));
    if (!net->params) {
        free(net);
        return nn2_fail(err, NN2_ERR_NOMEM, "out of memory for %zu parameters", off);
    }
    *out = net;
    return NN2_OK;
}

void nn2_net_free(nn2_net *net)
{
    if (!net) return;
    nn2_free(net->params);
    free(net);
}

int nn2_net_n_sizes(const nn2_net *net) { return net->n_layers + 1; }
const int *nn2_net_sizes(const nn2_net *net) { return net->sizes; }
nn2_cost nn2_net_cost(const nn2_net *net) { return net->cost; }

size_t nn2_net_n_params(const nn2_net *net)
{
    size_t n = 0;
    for (int l = 0; l < net->n_layers; l++)
        n += (size_t)(net->layer[l].n_in + 1) * net->layer[l].n_out;
    return n;
}

float nn2_net_weight(const nn2_net *net, int l, int j, int k)
{
    NN2_ASSERT(l >= 0 && l < net->n_layers && j >= 0 && j < net->layer[l].n_out && k >= 0 &&
               k < net->layer[l].n_in);
    return nn2_layer_WT(net, l)[(size_t)k * net->layer[l].n_out + j];
}

float nn2_net_bias(const nn2_net *net, int l, int j)
{
    NN2_ASSERT(l >= 0 && l < net->n_layers && j >= 0 && j < net->layer[l].n_out);
    return nn2_layer_b(net, l)[j];
}

void nn2_net_set_weight(nn2_net *net, int l, int j, int k, float v)
{
    NN2_ASSERT(l >= 0 && l < net->n_layers && j >= 0 && j < net->layer[l].n_out && k >= 0 &&
               k < net->layer[l].n_in);
    nn2_layer_WT(net, l)[(size_t)k * net->layer[l].n_out + j] = v;
}

void nn2_net_set_bias(nn2_net *net, int l, int j, float v)
{
    NN2_ASSERT(l >= 0 && l < net->n_layers && j >= 0 && j < net->layer[l].n_out);
    nn2_layer_b(net, l)[j] = v;
}
