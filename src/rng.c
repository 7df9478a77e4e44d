/* rng.c: xoshiro256** with splitmix64 seeding; Box-Muller normals; Fisher-Yates shuffle. */
#include <math.h>

#include "kernels_impl.h" /* nn2_k_mix64: splitmix64's output, shared with the dropout kernels */
#include "rng.h"

uint64_t nn2_splitmix64(uint64_t *state)
{
    const uint64_t z = *state;
    *state += NN2_K_MIX64_GAMMA;
    return nn2_k_mix64(z);
}

uint64_t nn2_hash64(uint64_t key) { return nn2_k_mix64(key); }

void nn2_rng_seed(nn2_rng *r, uint64_t seed)
{
    uint64_t st = seed;
    for (int i = 0; i < 4; i++) r->s[i] = nn2_splitmix64(&st);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t nn2_rng_next(nn2_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double nn2_rng_uniform(nn2_rng *r) { return (double)(nn2_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t nn2_rng_below(nn2_rng *r, uint64_t n)
{
    /* Rejection from the largest multiple of n: unbiased. */
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = nn2_rng_next(r);
    while (x >= limit);
    return x % n;
}

double nn2_rng_normal(nn2_rng *r)
{
    /* Box-Muller; u1 in (0,1] so the log is finite. One value per call keeps the stream
     * position a simple function of how many values were drawn. */
    const double u1 = 1.0 - nn2_rng_uniform(r);
    const double u2 = nn2_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

void nn2_rng_shuffle(nn2_rng *r, uint32_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        const size_t j = (size_t)nn2_rng_below(r, i);
        const uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}
