/* test_nets.h: the networks and comparisons that the training tests share: a chapter-3
 * configuration (activations, cost, dropout, optimizer) made into a network with the same
 * initial weights, and the distance between two networks' parameters. */
#ifndef NN2_TEST_NETS_H
#define NN2_TEST_NETS_H

#include <math.h>

#include "net.h"
#include "test_util.h"

typedef struct {
    const char *name;
    nn2_act hidden, out;
    nn2_cost cost;
    float dropout;
    double momentum;
    int nesterov;
    nn2_reg reg;
} config;

/* The network of sizes[0..depth) with cf's hidden activation and dropout in every hidden
 * layer, its output and cost, initialized with seed 42. */
static inline nn2_net *config_net(const config *cf, const int *sizes, int depth)
{
    nn2_arch a;
    nn2_arch_sigmoid(&a, sizes, depth, cf->cost);
    for (int l = 0; l + 2 < depth; l++) {
        a.act[l] = cf->hidden;
        a.dropout[l] = cf->dropout;
    }
    a.act[depth - 2] = cf->out;
    nn2_net *net;
    nn2_error err;
    NN2_ASSERT(nn2_net_create_arch(&net, &a, &err) == NN2_OK);
    nn2_net_init(net, NN2_INIT_DEFAULT, 42);
    return net;
}

/* The training settings of cf: its optimizer (eta 0.05 with momentum, else 0.5), seed 7, no
 * monitoring, epochs, mini-batch size and threads as given. */
static inline void config_train(nn2_config *c, const config *cf, int epochs, int batch, int threads)
{
    nn2_config_default(c);
    c->epochs = epochs;
    c->batch_size = batch;
    c->threads = threads;
    c->seed = 7;
    c->eta = cf->momentum > 0 ? 0.05 : 0.5;
    c->momentum = cf->momentum;
    c->nesterov = cf->nesterov;
    c->reg = cf->reg;
    c->monitor_eval_accuracy = 0;
}

/* Largest |a - b| over all parameters, relative to the largest |b|; NaN if either holds a NaN
 * (so that a check "rel_diff(...) < tol" fails). */
static inline double rel_diff(const nn2_net *a, const nn2_net *b)
{
    double d = 0, m = 0;
    for (size_t i = 0; i < a->n_params; i++) {
        d = max_nan(d, fabs((double)a->params[i] - (double)b->params[i]));
        m = max_nan(m, fabs((double)b->params[i]));
    }
    return d / m;
}

#endif
