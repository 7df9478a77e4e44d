/* optim.c: SGD updates over flat arena ranges.
 *   plain L2 (network2): w <- (1 - eta lambda/n) w - (eta/m) g
 *   plain L1:            w <- w - (eta lambda/n) sgn(w) - (eta/m) g      (sgn(0) = 0)
 *   momentum:            v <- mu v - eta G,  w <- w + v
 *   Nesterov:            v' <- mu v - eta G, w <- w + mu v' - eta G
 * with G = g/m + (lambda/n) w (L2) or (lambda/n) sgn(w) (L1); biases: G = g/m. */
#include "optim.h"

void nn2_optim_setup(nn2_optim *o, const nn2_kernels *k, const nn2_config *c, double eta, size_t n,
                     int m)
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
    const nn2_kupd u = {NN2_KUPD_SGD, 0, o->nesterov, o->decay, o->scale, o->l1,
                        o->inv_m, o->lam_n, o->mu, o->eta};
    o->uw = o->ub = u;
    if (o->momentum) {
        o->uw.kind = o->ub.kind = NN2_KUPD_MOMENTUM;
        o->uw.reg = o->reg == NN2_REG_L2 ? 1 : 2; /* the biases' step has no regularization term */
    } else {
        o->uw.kind = o->reg == NN2_REG_L2 ? NN2_KUPD_SGD_L2 : NN2_KUPD_SGD_L1;
    }
    o->update = k->update;
}

void nn2_optim_update(const nn2_optim *o, float *w, const float *g, float *v, size_t count,
                      int is_bias)
{
    const nn2_kupd *u = is_bias ? &o->ub : &o->uw;
    for (size_t i = 0; i < count; i += (size_t)1 << 30) { /* (the kernel counts in int) */
        const size_t n = count - i < (size_t)1 << 30 ? count - i : (size_t)1 << 30;
        o->update(1, (int)n, w + i, (int)n, g + i, (int)n, v ? v + i : NULL, u);
    }
}

void nn2_optim_update_rows(const nn2_optim *o, int M, int n, float *w, int ldw, const float *g,
                           int ldg, float *v)
{
    o->update(M, n, w, ldw, g, ldg, v, &o->uw);
}
