/* fuzz_idx.c: the IDX reader (raw and gzip: zlib detects gzip by content). Input: 2 bytes of
 * split point (little-endian, modulo the size), then the image file's bytes and the label
 * file's bytes; the image file is read again alone, as nn2 predict reads it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nn2.h"

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (n && fwrite(p, 1, n, f) != n) abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t split = ((size_t)data[0] | (size_t)data[1] << 8) % (size - 1);
    char img[64], lab[64];
    snprintf(img, sizeof img, "/tmp/nn2-fuzz-%d-images", (int)getpid());
    snprintf(lab, sizeof lab, "/tmp/nn2-fuzz-%d-labels", (int)getpid());
    write_file(img, data + 2, split);
    write_file(lab, data + 2 + split, size - 2 - split);
    nn2_idx_set s;
    nn2_error err;
    if (nn2_idx_load(&s, img, lab, 10, &err) == NN2_OK) {
        /* touch every byte: a wrong size would show under AddressSanitizer */
        unsigned sum = 0;
        for (size_t i = 0; i < s.count * (size_t)s.rows * (size_t)s.cols; i++) sum += s.images[i];
        for (size_t i = 0; i < s.count; i++) sum += s.labels[i];
        if (sum == 0xFFFFFFFFu) puts("");
        nn2_idx_free(&s);
    }
    /* the image file alone (nn2 predict) */
    if (nn2_idx_load(&s, img, NULL, 0, &err) == NN2_OK) {
        unsigned sum = 0;
        for (size_t i = 0; i < s.count * (size_t)s.rows * (size_t)s.cols; i++) sum += s.images[i];
        if (sum == 0xFFFFFFFFu || s.labels) puts("");
        nn2_idx_free(&s);
    }
    unlink(img);
    unlink(lab);
    return 0;
}
