/* act_scalar.c: reference activations and softmax (libm expf, tanhf). */
#include <math.h>

#include "kernels_impl.h"

void nn2_k_sigmoid_forward_scalar(int n, float *x)
{
    for (int i = 0; i < n; i++) x[i] = 1.0f / (1.0f + expf(-x[i]));
}

void nn2_k_sigmoid_backward_scalar(int n, float *d, const float *a)
{
    for (int i = 0; i < n; i++) d[i] *= a[i] * (1.0f - a[i]);
}

void nn2_k_tanh_forward_scalar(int n, float *x)
{
    for (int i = 0; i < n; i++) x[i] = tanhf(x[i]);
}

void nn2_k_tanh_backward_scalar(int n, float *d, const float *a)
{
    for (int i = 0; i < n; i++) d[i] *= 1.0f - a[i] * a[i];
}

void nn2_k_relu_forward_scalar(int n, float *x)
{
    for (int i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void nn2_k_relu_backward_scalar(int n, float *d, const float *a)
{
    for (int i = 0; i < n; i++) d[i] = a[i] > 0.0f ? d[i] : 0.0f;
}

void nn2_k_softmax_rows_scalar(int M, int n, float *x)
{
    for (int r = 0; r < M; r++) {
        float *z = x + (size_t)r * n;
        float mx = z[0];
        for (int j = 1; j < n; j++) mx = z[j] > mx ? z[j] : mx;
        float s = 0.0f;
        for (int j = 0; j < n; j++) {
            z[j] = expf(z[j] - mx);
            s += z[j];
        }
        for (int j = 0; j < n; j++) z[j] /= s;
    }
}

/* BP2 towards a next layer of q units (nn2_kernels.h): per element, the sum over o in order
 * from 0 (as gemm_nn over W^T), times the mask, times f'(a) (as act_backward); the column sums
 * in row order, then D times s. */
void nn2_k_bp2_small_scalar(int M, int n, int q, const float *Dn, int ldn, const float *W, int ldw,
                            const float *A, const float *mask, int ld, int act, float *D, int ldd,
                            float *bsum, float s)
{
    if (bsum)
        for (int u = 0; u < n; u++) bsum[u] = 0.0f;
    for (int r = 0; r < M; r++)
        for (int u = 0; u < n; u++) {
            float acc = 0.0f;
            for (int o = 0; o < q; o++) acc += Dn[(size_t)r * ldn + o] * W[(size_t)u * ldw + o];
            const size_t off = (size_t)r * ld + (size_t)u;
            if (mask) acc *= mask[off];
            const float a = A[off];
            if (act == NN2_KACT_SIGMOID)
                acc *= a * (1.0f - a);
            else if (act == NN2_KACT_TANH)
                acc *= 1.0f - a * a;
            else
                acc = a > 0.0f ? acc : 0.0f;
            if (bsum) bsum[u] += acc;
            D[(size_t)r * ldd + (size_t)u] = acc * s;
        }
}

/* The output layer from partial sums (nn2_kernels.h), in three passes: the sums, the
 * activation, a - y. Also the AVX2 set's (kernels/avx2), with its own activations. */
void nn2_k_out_rows_scalar(int M, int n, int np, const float *const *P, int ldp, const float *b,
                           int softmax, const uint8_t *labels, float *out, float *delta)
{
    nn2_k_out_rows_with(M, n, np, P, ldp, b, softmax ? nn2_k_softmax_rows_scalar : NULL,
                        nn2_k_sigmoid_forward_scalar, labels, out, delta);
}

void nn2_k_out_rows_with(int M, int n, int np, const float *const *P, int ldp, const float *b,
                         void (*softmax_rows)(int, int, float *), void (*sigmoid)(int, float *),
                         const uint8_t *labels, float *out, float *delta)
{
    for (int r = 0; r < M; r++)
        for (int o = 0; o < n; o++) {
            float sum = P[0][(size_t)r * ldp + o];
            for (int i = 1; i < np; i++) sum += P[i][(size_t)r * ldp + o];
            out[(size_t)r * n + o] = sum + b[o];
        }
    if (softmax_rows)
        softmax_rows(M, n, out);
    else
        sigmoid(M * n, out);
    for (int r = 0; r < M; r++)
        for (int o = 0; o < n; o++)
            delta[(size_t)r * n + o] = out[(size_t)r * n + o] - (o == labels[r] ? 1.0f : 0.0f);
}

/* x = f(p + q): the sums, then the activation (nn2_kernels.h). */
void nn2_k_add_act_scalar(int n, float *x, const float *p, const float *q, int act)
{
    for (int i = 0; i < n; i++) x[i] = p[i] + q[i];
    if (act == NN2_KACT_SIGMOID)
        nn2_k_sigmoid_forward_scalar(n, x);
    else if (act == NN2_KACT_TANH)
        nn2_k_tanh_forward_scalar(n, x);
    else
        nn2_k_relu_forward_scalar(n, x);
}
