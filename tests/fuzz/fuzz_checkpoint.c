/* fuzz_checkpoint.c: the checkpoint parser, from memory. Inputs failing only the checksum are
 * also parsed with the checksum fixed up, so the fuzzer reaches the field checks behind it. */
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nn2_ckpt c;
    nn2_error err;
    if (nn2_ckpt_parse(data, size, "fuzz", &c, &err) == NN2_OK) nn2_ckpt_free(&c);
    if (size >= 32) {
        uint8_t *copy = malloc(size);
        memcpy(copy, data, size);
        const uint64_t len = size - 32, sum = fnv1a(copy + 32, size - 32);
        memcpy(copy + 16, &len, 8);
        memcpy(copy + 24, &sum, 8);
        if (nn2_ckpt_parse(copy, size, "fuzz", &c, &err) == NN2_OK) nn2_ckpt_free(&c);
        free(copy);
    }
    return 0;
}
