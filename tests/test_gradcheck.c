/* test_gradcheck.c: backpropagation (BP1-BP4) against central finite differences of the cost,
 * for both costs and depths of 1 to 4 weight layers. The finite differences use a float64
 * forward pass written here (the float64 reference path): with eps = 1e-4 they are exact to
 * ~1e-8, so the check measures nn2's float32 backprop itself (tolerance 1e-4 relative). */
#include <math.h>

#include "rng.h"
#include "test_util.h"
#include "train.h"

/* Sum over the batch of the per-sample cost (network2's cost.fn), float64 forward pass.
 * p: the parameter being perturbed (by delta, in double). */
static double batch_cost(const nn2_net *net, const nn2_dataset *d, const float *p, double delta)
{
    double total = 0;
    for (size_t s = 0; s < d->count; s++) {
        double a[2][16];
        for (int i = 0; i < d->dim; i++) a[0][i] = d->images[s * (size_t)d->dim + i] / 255.0;
        int cur = 0;
        for (int l = 0; l < net->n_layers; l++) {
            const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
            const float *WT = nn2_layer_WT(net, l), *b = nn2_layer_b(net, l);
            for (int j = 0; j < n_out; j++) {
                double z = b[j] + (b + j == p ? delta : 0.0);
                for (int k = 0; k < n_in; k++) {
                    const float *w = WT + (size_t)k * n_out + j;
                    z += ((double)*w + (w == p ? delta : 0.0)) * a[cur][k];
                }
                a[1 - cur][j] = 1.0 / (1.0 + exp(-z));
            }
            cur = 1 - cur;
        }
        const int n_out = net->sizes[net->n_layers];
        for (int j = 0; j < n_out; j++) {
            const double y = j == d->labels[s], o = a[cur][j];
            total += net->cost == NN2_COST_QUADRATIC ? 0.5 * (o - y) * (o - y)
                                                     : -(y == 1 ? log(o) : log(1 - o));
        }
    }
    return total;
}

static void check_net(const int *sizes, int ns, nn2_cost cost)
{
    enum { B = 7 };
    uint8_t pixels[B * 16], labels[B];
    uint32_t idx[B];
    uint64_t st = 12345 + (uint64_t)ns * 7 + cost;
    for (int i = 0; i < B * sizes[0]; i++) pixels[i] = (uint8_t)(nn2_hash64(st++) & 255);
    for (int s = 0; s < B; s++) {
        labels[s] = (uint8_t)(nn2_hash64(st++) % (uint64_t)sizes[ns - 1]);
        idx[s] = (uint32_t)s;
    }
    const nn2_dataset d = {pixels, labels, B, sizes[0], sizes[ns - 1]};
    nn2_net *net;
    nn2_error err;
    NN2_ASSERT(nn2_net_create(&net, sizes, ns, cost, &err) == NN2_OK);
    nn2_net_init(net, NN2_INIT_DEFAULT, 99);
    nn2_trainer tr;
    NN2_ASSERT(nn2_trainer_init(&tr, net, &d, B, &err) == NN2_OK);
    nn2_train_grads(&tr, idx, B);
    double worst = 0;
    int n_checked = 0;
    for (int l = 0; l < net->n_layers; l++) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        for (int k = 0; k <= n_in; k++) /* row n_in: the bias */
            for (int j = 0; j < n_out; j++) {
                float *p = k < n_in ? nn2_layer_WT(net, l) + (size_t)k * n_out + j : nn2_layer_b(net, l) + j;
                const float g = k < n_in ? nn2_arena_WT(net, tr.grads, l)[(size_t)k * n_out + j]
                                         : nn2_arena_b(net, tr.grads, l)[j];
                const double eps = 1e-4;
                const double fd = (batch_cost(net, &d, p, eps) - batch_cost(net, &d, p, -eps)) / (2 * eps);
                const double rel = fabs(fd - g) / fmax(1e-3, fabs(fd));
                if (rel > worst) worst = rel;
                CHECK(rel < 1e-4, "%s depth %d layer %d (k=%d, j=%d): backprop %.7g, finite difference %.7g",
                      nn2_cost_name(cost), ns - 1, l, k, j, g, fd);
                n_checked++;
            }
    }
    printf("%-16s depth %d: %d gradients, worst relative error %.2e\n", nn2_cost_name(cost), ns - 1,
           n_checked, worst);
    nn2_trainer_free(&tr);
    nn2_net_free(net);
}

int main(void)
{
    const int s2[] = {9, 6, 4}, s3[] = {9, 7, 5, 4}, s4[] = {9, 7, 6, 5, 3}, s1[] = {9, 4};
    for (int c = 0; c < NN2_COST_COUNT; c++) {
        check_net(s1, 2, (nn2_cost)c);
        check_net(s2, 3, (nn2_cost)c);
        check_net(s3, 4, (nn2_cost)c);
        check_net(s4, 5, (nn2_cost)c);
    }
    return test_end("gradcheck");
}
