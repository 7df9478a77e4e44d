/* act_scalar.c: reference activations (libm expf). */
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
