/* dropout_scalar.c: inverted dropout's mask from a counter-based hash, the readable reference
 * of every ISA's dropout (see nn2_kernels.h). Integer hashing, a compare and one multiply per
 * unit: the SIMD versions give the same bits. */
#include "kernels_impl.h"

void nn2_k_dropout_scalar(int n, uint64_t key, uint32_t threshold, float keep, const float *a,
                          float *mask, float *out)
{
    for (int u = 0; u < n; u++) {
        mask[u] = (nn2_k_mix64(key + (uint64_t)u) >> 40) < threshold ? 0.0f : keep;
        out[u] = a[u] * mask[u];
    }
}
