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
