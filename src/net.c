/* net.c: nn2_net create/free, the parameter arena and accessors. */
#include <string.h>

#include "net.h"

const char *nn2_cost_name(nn2_cost c)
{
    switch (c) {
    case NN2_COST_QUADRATIC: return "QuadraticCost";
    case NN2_COST_CROSS_ENTROPY: return "CrossEntropyCost";
    case NN2_COST_LOG_LIKELIHOOD: return "LogLikelihoodCost";
    default: return "?";
    }
}

const char *nn2_act_name(nn2_act a)
{
    static const char *const names[NN2_ACT_COUNT] = {"sigmoid", "tanh", "relu", "softmax"};
    return a >= 0 && a < NN2_ACT_COUNT ? names[a] : "?";
}

const char *nn2_init_name(nn2_init i)
{
    static const char *const names[NN2_INIT_COUNT] = {"default", "large", "xavier", "he"};
    return i >= 0 && i < NN2_INIT_COUNT ? names[i] : "?";
}

void nn2_arch_sigmoid(nn2_arch *a, const int *sizes, int n_sizes, nn2_cost cost)
{
    memset(a, 0, sizeof *a);
    a->n_sizes = n_sizes;
    for (int i = 0; i < n_sizes && i <= NN2_MAX_LAYERS; i++) a->sizes[i] = sizes[i];
    for (int l = 0; l < NN2_MAX_LAYERS; l++) a->act[l] = NN2_ACT_SIGMOID;
    a->cost = cost;
}

int nn2_arch_is_network2(const nn2_arch *a)
{
    if (a->cost == NN2_COST_LOG_LIKELIHOOD) return 0;
    for (int l = 0; l + 1 < a->n_sizes; l++)
        if (a->act[l] != NN2_ACT_SIGMOID || a->dropout[l] != 0.0) return 0;
    return 1;
}

nn2_status nn2_arch_check(const nn2_arch *a, nn2_error *err)
{
    if (a->n_sizes < 2 || a->n_sizes > NN2_MAX_LAYERS + 1)
        return nn2_fail(err, NN2_ERR_ARG, "sizes: need 2 to %d layers, got %d",
                        NN2_MAX_LAYERS + 1, a->n_sizes);
    if (a->cost < 0 || a->cost >= NN2_COST_COUNT)
        return nn2_fail(err, NN2_ERR_ARG, "cost: unknown cost %d", (int)a->cost);
    for (int i = 0; i < a->n_sizes; i++)
        if (a->sizes[i] < 1 || a->sizes[i] > NN2_MAX_WIDTH)
            return nn2_fail(err, NN2_ERR_ARG, "sizes: layer %d has %d neurons (allowed 1..%d)",
                            i, a->sizes[i], NN2_MAX_WIDTH);
    const int L = a->n_sizes - 1;
    for (int l = 0; l < L - 1; l++) {
        if (a->act[l] != NN2_ACT_SIGMOID && a->act[l] != NN2_ACT_TANH && a->act[l] != NN2_ACT_RELU)
            return nn2_fail(err, NN2_ERR_ARG,
                            "activation of hidden layer %d: %s (allowed: sigmoid, tanh, relu)",
                            l + 1, nn2_act_name(a->act[l]));
        if (!(a->dropout[l] >= 0.0 && a->dropout[l] < 1.0))
            return nn2_fail(err, NN2_ERR_ARG, "dropout of hidden layer %d: %g (allowed 0 <= p < 1)",
                            l + 1, (double)a->dropout[l]);
    }
    if (a->dropout[L - 1] != 0.0)
        return nn2_fail(err, NN2_ERR_ARG, "dropout applies to hidden layers only, not the output");
    const nn2_act out = a->act[L - 1];
    if (out != NN2_ACT_SIGMOID && out != NN2_ACT_SOFTMAX)
        return nn2_fail(err, NN2_ERR_ARG, "output activation %s (allowed: sigmoid, softmax)",
                        nn2_act_name(out));
    if (a->cost == NN2_COST_LOG_LIKELIHOOD && out != NN2_ACT_SOFTMAX)
        return nn2_fail(err, NN2_ERR_ARG,
                        "the log-likelihood cost needs a softmax output (got %s)",
                        nn2_act_name(out));
    if (a->cost == NN2_COST_CROSS_ENTROPY && out != NN2_ACT_SIGMOID)
        return nn2_fail(err, NN2_ERR_ARG,
                        "the cross-entropy cost needs a sigmoid output (with softmax, use "
                        "log-likelihood)");
    return NN2_OK;
}

nn2_status nn2_net_create(nn2_net **out, const int *sizes, int n_sizes, nn2_cost cost,
                          nn2_error *err)
{
    nn2_arch a;
    if (n_sizes < 2 || n_sizes > NN2_MAX_LAYERS + 1) {
        *out = NULL;
        return nn2_fail(err, NN2_ERR_ARG, "sizes: need 2 to %d layers, got %d",
                        NN2_MAX_LAYERS + 1, n_sizes);
    }
    nn2_arch_sigmoid(&a, sizes, n_sizes, cost);
    return nn2_net_create_arch(out, &a, err);
}

nn2_status nn2_net_create_arch(nn2_net **out, const nn2_arch *arch, nn2_error *err)
{
    *out = NULL;
    nn2_status st = nn2_arch_check(arch, err);
    if (st != NN2_OK) return st;
    const int *sizes = arch->sizes, n_sizes = arch->n_sizes;
    size_t total = 0;
    for (int l = 0; l + 1 < n_sizes; l++) {
        total += (size_t)(sizes[l] + 1) * (size_t)nn2_round16(sizes[l + 1]);
        if (total > NN2_MAX_PARAMS)
            return nn2_fail(err, NN2_ERR_ARG,
                            "sizes: more than %zu parameters; refusing to allocate",
                            NN2_MAX_PARAMS);
    }
    nn2_net *net = calloc(1, sizeof *net);
    if (!net) return nn2_fail(err, NN2_ERR_NOMEM, "out of memory");
    net->arch = *arch;
    net->n_layers = n_sizes - 1;
    memcpy(net->sizes, sizes, sizeof(int) * (size_t)n_sizes);
    net->cost = arch->cost;
    size_t off = 0;
    for (int l = 0; l < net->n_layers; l++) {
        const int ldw = nn2_round16(sizes[l + 1]);
        net->layer[l] = (nn2_layer){.n_in = sizes[l], .n_out = sizes[l + 1], .ldw = ldw, .offset = off};
        off += (size_t)(sizes[l] + 1) * (size_t)ldw;
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

const nn2_arch *nn2_net_arch(const nn2_net *net) { return &net->arch; }

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
    return nn2_layer_WT(net, l)[(size_t)k * net->layer[l].ldw + j];
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
    nn2_layer_WT(net, l)[(size_t)k * net->layer[l].ldw + j] = v;
}

void nn2_net_set_bias(nn2_net *net, int l, int j, float v)
{
    NN2_ASSERT(l >= 0 && l < net->n_layers && j >= 0 && j < net->layer[l].n_out);
    nn2_layer_b(net, l)[j] = v;
}
