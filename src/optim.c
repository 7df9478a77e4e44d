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
    o->acc_in = o->acc_more = 0;
    o->decay = (float)(1.0 - eta * (c->lambda / (double)n));
    o->scale = (float)(eta / m);
    const nn2_kupd u = {NN2_KUPD_SGD, 0, c->nesterov, o->decay, o->scale,
                        (float)(eta * (c->lambda / (double)n)), (float)(1.0 / m),
                        (float)(c->lambda / (double)n), (float)c->momentum, (float)eta};
    o->uw = o->ub = u;
    if (o->momentum) {
        o->uw.kind = o->ub.kind = NN2_KUPD_MOMENTUM;
        o->uw.reg = o->reg == NN2_REG_L2 ? 1 : 2; /* the biases' step has no regularization term */
    } else {
        o->uw.kind = o->reg == NN2_REG_L2 ? NN2_KUPD_SGD_L2 : NN2_KUPD_SGD_L1;
    }
    o->update = k->update;
    o->update_sel = k->update_sel;
}

void nn2_optim_update_bias(const nn2_optim *o, float *w, const float *g, float *v, int n)
{
    o->update(1, n, w, n, g, n, v, &o->ub);
}

void nn2_optim_update_rows(const nn2_optim *o, int M, int n, float *w, int ldw, const float *g,
                           int ldg, float *v)
{
    o->update(M, n, w, ldw, g, ldg, v, &o->uw);
}

void nn2_optim_update_sel(const nn2_optim *o, int r0, int r1, int n, float *w, int ldw,
                          const float *g, int ldg, float *v, const int *rows, int M, int base)
{
    o->update_sel(r0, r1, n, w, ldw, g, ldg, v, &o->uw, rows, M, base);
}
