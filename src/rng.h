/* rng.h: seeded random streams. xoshiro256** (Blackman & Vigna) seeded through splitmix64 for
 * sequential streams (initialisation, shuffling); splitmix64 as a counter-based hash for streams
 * keyed by position. No global state. */
#ifndef NN2_RNG_H
#define NN2_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct nn2_rng {
    uint64_t s[4];
} nn2_rng;

uint64_t nn2_splitmix64(uint64_t *state);
/* A well-mixed 64-bit hash of a key: used to derive independent stream seeds. */
uint64_t nn2_hash64(uint64_t key);
void nn2_rng_seed(nn2_rng *r, uint64_t seed);
uint64_t nn2_rng_next(nn2_rng *r);
double nn2_rng_uniform(nn2_rng *r);                /* [0, 1), 53 bits */
uint64_t nn2_rng_below(nn2_rng *r, uint64_t n);    /* unbiased in [0, n), n > 0 */
double nn2_rng_normal(nn2_rng *r);                 /* N(0,1), Box-Muller, one value per call */
void nn2_rng_shuffle(nn2_rng *r, uint32_t *a, size_t n); /* Fisher-Yates */

#endif
