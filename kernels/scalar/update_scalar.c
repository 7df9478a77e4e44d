/* update_scalar.c: the optimizer step, the readable reference of every ISA's update (see
 * nn2_kupd_kind in nn2_kernels.h). Each expression is evaluated left to right, each operation
 * rounded: the SIMD versions do the same operations per element and give the same bits. */
#include "kernels_impl.h"

static inline float sgnf(float w) { return w > 0.0f ? 1.0f : w < 0.0f ? -1.0f : 0.0f; }

/* g NULL: a gradient of +0 */
static void update_row(int n, float *w, const float *g, float *v, const nn2_kupd *u)
{
#define NN2_G(i) (g ? g[i] : 0.0f)
    switch (u->kind) {
    case NN2_KUPD_SGD:
        for (int i = 0; i < n; i++) w[i] = w[i] - u->scale * NN2_G(i);
        break;
    case NN2_KUPD_SGD_L2:
        for (int i = 0; i < n; i++) w[i] = u->decay * w[i] - u->scale * NN2_G(i);
        break;
    case NN2_KUPD_SGD_L1:
        for (int i = 0; i < n; i++) w[i] = w[i] - u->l1 * sgnf(w[i]) - u->scale * NN2_G(i);
        break;
    case NN2_KUPD_MOMENTUM:
        for (int i = 0; i < n; i++) {
            float G = NN2_G(i) * u->inv_m;
            if (u->reg == 1) G = G + u->lam_n * w[i];
            else if (u->reg == 2) G = G + u->lam_n * sgnf(w[i]);
            const float vn = u->mu * v[i] - u->eta * G;
            v[i] = vn;
            w[i] = u->nesterov ? w[i] + u->mu * vn - u->eta * G : w[i] + vn;
        }
        break;
    }
#undef NN2_G
}

void nn2_k_update_scalar(int M, int n, float *w, int ldw, const float *g, int ldg, float *v,
                         const nn2_kupd *u)
{
    for (int r = 0; r < M; r++)
        update_row(n, w + (size_t)r * ldw, g + (size_t)r * ldg, v ? v + (size_t)r * ldw : NULL, u);
}

void nn2_k_update_sel_scalar(int r0, int r1, int n, float *w, int ldw, const float *g, int ldg,
                             float *v, const nn2_kupd *u, const int *rows, int M, int base)
{
    for (int r = r0, i = 0; r < r1; r++) {
        const int listed = i < M && rows[i] - base == r;
        i += listed;
        update_row(n, w + (size_t)r * ldw, listed ? g + (size_t)r * ldg : NULL,
                   v ? v + (size_t)r * ldw : NULL, u);
    }
}
