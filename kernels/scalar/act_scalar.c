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
                            const float *A, const float *mask, int ld, int act, float *D, float *bsum,
                            float s)
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
            D[off] = acc * s;
        }
}
