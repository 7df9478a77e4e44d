/* optim.c: SGD updates over flat arena ranges.
 *   plain L2 (network2): w <- (1 - eta lambda/n) w - (eta/m) g
 *   plain L1:            w <- w - (eta lambda/n) sgn(w) - (eta/m) g      (sgn(0) = 0)
 *   momentum:            v <- mu v - eta G,  w <- w + v
 *   Nesterov:            v' <- mu v - eta G, w <- w + mu v' - eta G
 * with G = g/m + (lambda/n) w (L2) or (lambda/n) sgn(w) (L1); biases: G = g/m. */
#include "optim.h"

void nn2_optim_setup(nn2_optim *o, const nn2_config *c, double eta, size_t n, int m)
{
    o->reg = c->reg;
    o->momentum = c->momentum != 0.0;
    o->nesterov = c->nesterov;
    o->mu = (float)c->momentum;
    o->eta = (float)eta;
    o->inv_m = (float)(1.0 / m);
    o->lam_n = (float)(c->lambda / (double)n);
    o->decay = (float)(1.0 - eta * (c->lambda / (double)n));
    o->scale = (float)(eta / m);
    o->l1 = (float)(eta * (c->lambda / (double)n));
}

static inline float sgn(float w) { return w > 0.0f ? 1.0f : w < 0.0f ? -1.0f : 0.0f; }

void nn2_optim_update(const nn2_optim *o, float *w, const float *g, float *v, size_t count,
                      int is_bias)
{
    if (!o->momentum) {
        if (is_bias)
            for (size_t i = 0; i < count; i++) w[i] = w[i] - o->scale * g[i];
        else if (o->reg == NN2_REG_L2)
            for (size_t i = 0; i < count; i++) w[i] = o->decay * w[i] - o->scale * g[i];
        else
            for (size_t i = 0; i < count; i++) w[i] = w[i] - o->l1 * sgn(w[i]) - o->scale * g[i];
        return;
    }
    for (size_t i = 0; i < count; i++) {
        float G = g[i] * o->inv_m;
        if (!is_bias) G += o->lam_n * (o->reg == NN2_REG_L2 ? w[i] : sgn(w[i]));
        const float vn = o->mu * v[i] - o->eta * G;
        v[i] = vn;
        w[i] = o->nesterov ? w[i] + o->mu * vn - o->eta * G : w[i] + vn;
    }
}
