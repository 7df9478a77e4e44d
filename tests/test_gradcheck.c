/* test_gradcheck.c: backpropagation (BP1-BP4) against central finite differences of the cost,
 * for every allowed combination of hidden activation (sigmoid, tanh, ReLU) x output/cost
 * (sigmoid + quadratic, sigmoid + cross-entropy, softmax + log-likelihood, softmax +
 * quadratic), depths 1 to 4 weight layers, with and without dropout. The finite differences
 * use a float64 forward pass written here (the float64 reference path, applying the same
 * dropout masks): with eps = 1e-4 they are exact to ~1e-8, so the check measures nn2's float32
 * backprop itself (tolerance 1e-4 relative). */
#include <math.h>

#include "rng.h"
#include "test_util.h"
#include "train.h"

static double f_act(nn2_act a, double z)
{
    switch (a) {
    case NN2_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case NN2_ACT_TANH: return tanh(z);
    case NN2_ACT_RELU: return z > 0 ? z : 0;
    default: return z; /* softmax: applied per row below */
    }
}

/* Sum over the batch of the per-sample cost, float64 forward pass with the trainer's dropout
 * masks. p: the parameter being perturbed (by delta, in double). */
static double batch_cost(const nn2_net *net, const nn2_dataset *d, const nn2_ws *ws, const float *p,
                         double delta)
{
    double total = 0;
    const nn2_arch *A = &net->arch;
    for (size_t s = 0; s < d->count; s++) {
        double a[2][64]; /* units of the widest layer checked */
        for (int i = 0; i < d->dim; i++) a[0][i] = d->images[s * (size_t)d->dim + i] / 255.0;
        int cur = 0;
        for (int l = 0; l < net->n_layers; l++) {
            const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
            const float *WT = nn2_layer_WT(net, l), *b = nn2_layer_b(net, l);
            for (int j = 0; j < n_out; j++) {
                double z = b[j] + (b + j == p ? delta : 0.0);
                for (int k = 0; k < n_in; k++) {
                    const float *w = WT + (size_t)k * net->layer[l].ldw + j;
                    z += ((double)*w + (w == p ? delta : 0.0)) * a[cur][k];
                }
                a[1 - cur][j] = f_act(A->act[l], z);
                if (l + 1 < net->n_layers && ws->mask[l + 1]) a[1 - cur][j] *= ws->mask[l + 1][s * (size_t)ws->ld[l + 1] + j];
            }
            cur = 1 - cur;
            if (A->act[l] == NN2_ACT_SOFTMAX) {
                double mx = -INFINITY, sum = 0;
                for (int j = 0; j < n_out; j++) mx = fmax(mx, a[cur][j]);
                for (int j = 0; j < n_out; j++) sum += exp(a[cur][j] - mx);
                for (int j = 0; j < n_out; j++) a[cur][j] = exp(a[cur][j] - mx) / sum;
            }
        }
        const int n_out = net->sizes[net->n_layers];
        for (int j = 0; j < n_out; j++) {
            const double y = j == d->labels[s], o = a[cur][j];
            if (A->cost == NN2_COST_QUADRATIC) total += 0.5 * (o - y) * (o - y);
            else if (A->cost == NN2_COST_LOG_LIKELIHOOD) total += y == 1 ? -log(o) : 0.0;
            else total += -(y == 1 ? log(o) : log(1 - o));
        }
    }
    return total;
}

static void check_net(const int *sizes, int ns, nn2_act hidden, nn2_act out, nn2_cost cost, float drop)
{
    enum { B = 7 };
    uint8_t pixels[B * 16], labels[B];
    uint32_t idx[B];
    uint64_t st = 12345 + (uint64_t)ns * 7 + cost * 131 + hidden * 17 + out;
    for (int i = 0; i < B * sizes[0]; i++) pixels[i] = (uint8_t)(nn2_hash64(st++) & 255);
    if (sizes[1] >= 32) /* the sparse first layer's gradient (7 x 40 multiply-adds a row): every
                           third input zero in every sample, the others where the hash says */
        for (int i = 0; i < B * sizes[0]; i++)
            if (i % sizes[0] % 3 == 1 || pixels[i] < 64) pixels[i] = 0;
    for (int s = 0; s < B; s++) {
        labels[s] = (uint8_t)(nn2_hash64(st++) % (uint64_t)sizes[ns - 1]);
        idx[s] = (uint32_t)s;
    }
    const nn2_dataset d = {pixels, labels, B, sizes[0], sizes[ns - 1], 1, sizes[0], 0};
    nn2_arch arch;
    nn2_arch_sigmoid(&arch, sizes, ns, cost);
    for (int l = 0; l + 2 < ns; l++) {
        arch.act[l] = hidden;
        arch.dropout[l] = drop;
    }
    arch.act[ns - 2] = out;
    nn2_net *net;
    nn2_error err;
    CHECK(nn2_net_create_arch(&net, &arch, &err) == NN2_OK, "%s", err.msg);
    /* N(0,1) biases: with He's zero biases a sample whose inputs are all dropped sits exactly on
     * the ReLU kink (z = b = 0), where the finite difference is one-sided */
    nn2_net_init(net, NN2_INIT_DEFAULT, 99);
    nn2_config cfg;
    nn2_config_default(&cfg);
    nn2_trainer tr;
    NN2_ASSERT(nn2_trainer_init(&tr, net, &cfg, &d, B, 1, &err) == NN2_OK);
    /* every gradient must be written */
    for (size_t i = 0; i < net->n_params; i++) tr.grads[i] = 1e3f;
    nn2_train_grads(&tr, idx, B);
    double worst = 0;
    int n_checked = 0, kinks = 0;
    for (int l = 0; l < net->n_layers; l++) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        for (int k = 0; k <= n_in; k++) /* row n_in: the bias */
            for (int j = 0; j < n_out; j++) {
                const int ldw = net->layer[l].ldw;
                float *p = k < n_in ? nn2_layer_WT(net, l) + (size_t)k * ldw + j : nn2_layer_b(net, l) + j;
                const float g = k < n_in ? nn2_arena_WT(net, tr.grads, l)[(size_t)k * ldw + j]
                                         : nn2_arena_b(net, tr.grads, l)[j];
                const double eps = 1e-4;
                const double fd = (batch_cost(net, &d, &tr.ws, p, eps) - batch_cost(net, &d, &tr.ws, p, -eps)) / (2 * eps);
                /* a ReLU kink inside [-eps, eps] makes the quotient depend on eps: skip it */
                if (hidden == NN2_ACT_RELU) {
                    const double e2 = eps / 4;
                    const double fd2 = (batch_cost(net, &d, &tr.ws, p, e2) - batch_cost(net, &d, &tr.ws, p, -e2)) / (2 * e2);
                    if (fabs(fd - fd2) > 1e-5 * fmax(1e-2, fabs(fd))) {
                        kinks++;
                        continue;
                    }
                }
                const double rel = fabs(fd - g) / fmax(1e-2, fabs(fd));
                if (rel > worst) worst = rel;
                CHECK(rel < 1e-4, "%s/%s/%s depth %d drop %g layer %d (k=%d, j=%d): backprop %.7g, finite difference %.7g",
                      nn2_act_name(hidden), nn2_act_name(out), nn2_cost_name(cost), ns - 1, drop, l, k, j, g, fd);
                n_checked++;
            }
    }
    CHECK(kinks * 10 < n_checked, "too many ReLU kinks skipped: %d", kinks);
    printf("%-7s -> %-7s %-17s depth %d dropout %.1f: %3d gradients, worst relative error %.2e\n",
           nn2_act_name(hidden), nn2_act_name(out), nn2_cost_name(cost), ns - 1, drop, n_checked, worst);
    nn2_trainer_free(&tr);
    nn2_net_free(net);
}

int main(void)
{
    const int s1[] = {9, 4}, s2[] = {9, 6, 4}, s3[] = {9, 7, 5, 4}, s4[] = {9, 7, 6, 5, 3};
    const int *shapes[] = {s1, s2, s3, s4};
    const struct { nn2_act out; nn2_cost cost; } heads[] = {
        {NN2_ACT_SIGMOID, NN2_COST_QUADRATIC}, {NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY},
        {NN2_ACT_SOFTMAX, NN2_COST_LOG_LIKELIHOOD}, {NN2_ACT_SOFTMAX, NN2_COST_QUADRATIC}};
    for (int h = 0; h < 4; h++)
        for (int hid = NN2_ACT_SIGMOID; hid <= NN2_ACT_RELU; hid++)
            for (int depth = 1; depth <= 4; depth++) {
                if (depth == 1 && hid != NN2_ACT_SIGMOID) continue; /* no hidden layer */
                check_net(shapes[depth - 1], depth + 1, (nn2_act)hid, heads[h].out, heads[h].cost, 0.0f);
                if (depth >= 2) check_net(shapes[depth - 1], depth + 1, (nn2_act)hid, heads[h].out, heads[h].cost, 0.5f);
            }
    /* 20 hidden units, two slices of 16: the whole layer computed in two halves of the inputs,
     * untransposed (trainer.c); the shapes above have one slice, the transposed tail */
    const int wide[] = {9, 20, 4};
    for (int h = 0; h < 4; h++)
        for (int hid = NN2_ACT_SIGMOID; hid <= NN2_ACT_RELU; hid++)
            for (int drop = 0; drop <= 1; drop++)
                check_net(wide, 3, (nn2_act)hid, heads[h].out, heads[h].cost, drop ? 0.5f : 0.0f);
    /* 40 hidden units over 16 inputs, a third of them zero in every sample (check_net): the
     * gradient of the inputs some sample has set, and exactly 0 for the others */
    const int sparse[] = {16, 40, 4};
    for (int h = 0; h < 4; h++)
        for (int hid = NN2_ACT_SIGMOID; hid <= NN2_ACT_RELU; hid++)
            check_net(sparse, 3, (nn2_act)hid, heads[h].out, heads[h].cost, 0.0f);
    return test_end("gradcheck");
}
