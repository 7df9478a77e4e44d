/* test_idx.c: the IDX reader and MNIST split on fixtures in tests/data: good raw and gzip files
 * under both spellings, and each kind of bad file rejected with a message naming the file; and
 * MNIST-sized files written here (3,000 images: a raw file is read in one allocation, a gzip
 * file grows its buffer many times) read back byte for byte. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <unistd.h>
#if NN2_WITH_ZLIB
#include <zlib.h>
#endif

#include "test_util.h"
#include "nn2.h"

static const char *D;

static void expect_fail(const char *img, const char *lab, nn2_status want, const char *needle)
{
    char ip[1024], lp[1024];
    snprintf(ip, sizeof ip, "%s/%s", D, img);
    snprintf(lp, sizeof lp, "%s/%s", D, lab);
    nn2_idx_set s;
    nn2_error err = {{0}};
    const nn2_status st = nn2_idx_load(&s, ip, lp, 10, &err);
    CHECK(st == want, "%s + %s: status %d, want %d (%s)", img, lab, st, want, err.msg);
    const char *bad_file = strstr(err.msg, img) ? img : lab;
    CHECK(strstr(err.msg, bad_file) != NULL, "message names the file: %s", err.msg);
    CHECK(strstr(err.msg, needle) != NULL, "message '%s' mentions '%s'", err.msg, needle);
}

enum { BIG_N = 3000, BIG_DIM = 28 * 28 };

static uint8_t big_pixel(size_t i, size_t j) { return (uint8_t)(i * 131u + j * 7u + (i >> 3)); }

/* An IDX file of BIG_N images (ndim 3) or labels (ndim 1), with `extra` bytes after the
 * payload; gzip-compressed when gz. Returns 0 on failure. */
static int write_big(const char *path, int ndim, int gz, size_t extra)
{
    const size_t n = ndim == 3 ? (size_t)BIG_N * BIG_DIM : BIG_N, head = ndim == 3 ? 16 : 8;
    uint8_t *b = calloc(head + n + extra, 1);
    if (!b) return 0;
    const uint32_t h[4] = {ndim == 3 ? 2051u : 2049u, BIG_N, 28, 28};
    for (size_t k = 0; k < head; k++) b[k] = (uint8_t)(h[k / 4] >> (8 * (3 - k % 4)));
    for (size_t i = 0; i < BIG_N; i++)
        if (ndim == 3)
            for (size_t j = 0; j < BIG_DIM; j++) b[head + i * BIG_DIM + j] = big_pixel(i, j);
        else
            b[head + i] = (uint8_t)(i % 10);
    int ok = 0;
    if (!gz) {
        FILE *f = fopen(path, "wb");
        ok = f && fwrite(b, 1, head + n + extra, f) == head + n + extra;
        if (f) ok &= fclose(f) == 0;
    }
#if NN2_WITH_ZLIB
    else {
        gzFile f = gzopen(path, "wb9");
        ok = f && gzwrite(f, b, (unsigned)(head + n + extra)) == (int)(head + n + extra);
        if (f) ok &= gzclose(f) == Z_OK;
    }
#endif
    free(b);
    return ok;
}

/* A small raw IDX file: n items of 2x2 pixels (ndim 3) or n labels (ndim 1). */
static int write_small(const char *path, int ndim, uint32_t n, const uint8_t *payload)
{
    const size_t head = ndim == 3 ? 16 : 8, len = ndim == 3 ? (size_t)n * 4 : n;
    uint8_t b[16 + 64];
    if (len > 64) return 0;
    const uint32_t h[4] = {ndim == 3 ? 2051u : 2049u, n, 2, 2};
    for (size_t k = 0; k < head; k++) b[k] = (uint8_t)(h[k / 4] >> (8 * (3 - k % 4)));
    memcpy(b + head, payload, len);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(b, 1, head + len, f) == head + len;
    if (f) ok &= fclose(f) == 0;
    return ok;
}

/* A dataset of the MNIST family named as EMNIST names its files (a prefix, "test" for "t10k",
 * one label file with the '.' spelling) with 47 classes: found with the prefix, n_classes from
 * the labels (at least 10); not found without it, the message naming what was looked for. */
static void prefixed_set(const char *dir)
{
    char ti[1024], tl[1024], si[1024], sl[1024];
    snprintf(ti, sizeof ti, "%s/emnist-x-train-images-idx3-ubyte", dir);
    snprintf(tl, sizeof tl, "%s/emnist-x-train-labels-idx1-ubyte", dir);
    snprintf(si, sizeof si, "%s/emnist-x-test-images-idx3-ubyte", dir);
    snprintf(sl, sizeof sl, "%s/emnist-x-test-labels.idx1-ubyte", dir);
    uint8_t px[6 * 4];
    for (int i = 0; i < 6 * 4; i++) px[i] = (uint8_t)(i * 7);
    const uint8_t train_lab[3][6] = {{0, 46, 3, 12, 5, 1}, {0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 4, 5}};
    const uint8_t test_lab[3][3] = {{2, 30, 9}, {1, 2, 3}, {1, 200, 3}};
    const int want[3] = {47, 10, 201};
    nn2_error err = {{0}};
    for (int c = 0; c < 3; c++) {
        CHECK(write_small(ti, 3, 6, px) && write_small(tl, 1, 6, train_lab[c]) && write_small(si, 3, 3, px) &&
                  write_small(sl, 1, 3, test_lab[c]),
              "write the prefixed files in %s", dir);
        nn2_mnist m;
        const nn2_status st = nn2_idx_dataset_load(&m, dir, "emnist-x-", 4, 2, &err);
        CHECK(st == NN2_OK, "prefixed set %d: %s", c, err.msg);
        if (st != NN2_OK) continue;
        CHECK(m.training.count == 4 && m.validation.count == 2 && m.test.count == 3, "prefixed set: split");
        CHECK(m.training.n_classes == want[c] && m.validation.n_classes == want[c] && m.test.n_classes == want[c],
              "prefixed set %d: %d classes, want %d", c, m.training.n_classes, want[c]);
        CHECK(m.test.labels[1] == test_lab[c][1] && m.validation.labels[1] == train_lab[c][5], "prefixed set: labels");
        nn2_mnist_free(&m);
    }
    nn2_mnist m;
    nn2_status st = nn2_mnist_load(&m, dir, 4, 2, &err);
    CHECK(st == NN2_ERR_IO && strstr(err.msg, "/train-images-idx3-ubyte[.gz]: not found"), "no prefix: %s", err.msg);
    remove(ti);
    st = nn2_idx_dataset_load(&m, dir, "emnist-x-", 4, 2, &err);
    CHECK(st == NN2_ERR_IO && strstr(err.msg, "/emnist-x-train-images-idx3-ubyte[.gz]: not found"), "no train images: %s",
          err.msg);
    CHECK(write_small(ti, 3, 6, px), "rewrite %s", ti);
    remove(si);
    st = nn2_idx_dataset_load(&m, dir, "emnist-x-", 4, 2, &err);
    CHECK(st == NN2_ERR_IO && strstr(err.msg, "/emnist-x-t10k-images-idx3-ubyte[.gz]: not found") &&
              strstr(err.msg, "nor 'test' for 't10k'"),
          "no test images: %s", err.msg);
    remove(ti);
    remove(tl);
    remove(sl);
}

/* The big files read back: every pixel and label where it was written. */
static void big_round_trip(const char *dir, int gz)
{
    char ip[1024], lp[1024];
    snprintf(ip, sizeof ip, "%s/big-images-idx3-ubyte%s", dir, gz ? ".gz" : "");
    snprintf(lp, sizeof lp, "%s/big-labels-idx1-ubyte%s", dir, gz ? ".gz" : "");
    CHECK(write_big(ip, 3, gz, 0) && write_big(lp, 1, gz, 0), "write %s", ip);
    nn2_idx_set s;
    nn2_error err = {{0}};
    const nn2_status st = nn2_idx_load(&s, ip, lp, 10, &err);
    CHECK(st == NN2_OK, "load %s: %s", ip, err.msg);
    if (st != NN2_OK) {
        remove(ip);
        remove(lp);
        return;
    }
    CHECK(s.count == BIG_N && s.rows == 28 && s.cols == 28, "%s: dims %zu %d %d", ip, s.count, s.rows, s.cols);
    size_t bad_px = 0, bad_lab = 0;
    for (size_t i = 0; i < BIG_N; i++) {
        for (size_t j = 0; j < BIG_DIM; j++) bad_px += s.images[i * BIG_DIM + j] != big_pixel(i, j);
        bad_lab += s.labels[i] != i % 10;
    }
    CHECK(bad_px == 0 && bad_lab == 0, "%s: %zu pixels and %zu labels differ", ip, bad_px, bad_lab);
    nn2_idx_free(&s);
    /* one byte too many, or too few, in a file of that size */
    for (int d = 0; d < 2; d++) {
        CHECK(write_big(ip, 3, gz, d == 0 ? 1 : 0), "rewrite %s", ip);
        if (d == 1) { /* cut the last byte off */
#if NN2_WITH_ZLIB
            if (gz) {
                const size_t n = 16 + (size_t)BIG_N * BIG_DIM - 1;
                uint8_t *b = malloc(n);
                gzFile f = gzopen(ip, "rb");
                const int got = f && b ? gzread(f, b, (unsigned)n) : -1;
                if (f) gzclose(f);
                f = gzopen(ip, "wb9");
                CHECK(f && got == (int)n && gzwrite(f, b, (unsigned)n) == (int)n, "cut %s", ip);
                if (f) gzclose(f);
                free(b);
            } else
#endif
                CHECK(truncate(ip, 16 + (off_t)BIG_N * BIG_DIM - 1) == 0, "cut %s", ip);
        }
        const nn2_status st2 = nn2_idx_load(&s, ip, lp, 10, &err);
        CHECK(st2 == NN2_ERR_FORMAT && strstr(err.msg, ip) && strstr(err.msg, d == 0 ? "1 bytes of trailing" : "truncated"),
              "%s %s: %d %s", ip, d == 0 ? "+1 byte" : "-1 byte", st2, err.msg);
        if (st2 == NN2_OK) nn2_idx_free(&s);
    }
    remove(ip);
    remove(lp);
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "tests/data";
    char good[1024], bad[1024];
    snprintf(good, sizeof good, "%s/idx", base);
    snprintf(bad, sizeof bad, "%s/idx_bad", base);
    nn2_error err = {{0}};

    /* the library says whether it reads gzip files, as its build does */
    CHECK((strstr(nn2_build_features(), "zlib") != NULL) == (NN2_WITH_ZLIB + 0 == 1),
          "nn2_build_features() \"%s\" against NN2_WITH_ZLIB", nn2_build_features());

    /* good: raw images with '-' spelling, raw labels with '.' spelling, gzip test files */
    nn2_mnist m;
    nn2_status st = nn2_mnist_load(&m, good, 5, 3, &err);
    CHECK(st == NN2_OK, "load fixtures: %s", err.msg);
    if (st == NN2_OK) {
        CHECK(m.train_file.count == 8 && m.train_file.rows == 4 && m.train_file.cols == 4, "train dims");
        CHECK(m.test_file.count == 3, "gzip test file read");
        CHECK(m.training.count == 5 && m.validation.count == 3 && m.test.count == 3, "split sizes");
        const uint8_t want_labels[8] = {3, 1, 4, 1, 5, 9, 2, 6};
        CHECK(memcmp(m.train_file.labels, want_labels, 8) == 0, "labels");
        CHECK(m.validation.labels[0] == 9 && m.validation.labels[2] == 6, "validation = last 3");
        CHECK(m.validation.images == m.train_file.images + 5 * 16, "validation images offset");
        CHECK(m.test.labels[0] == 7 && m.test.labels[2] == 9, "test labels through gzip");
        nn2_mnist_free(&m);
    }
    /* the split must fit the file */
    st = nn2_mnist_load(&m, good, 6, 3, &err);
    CHECK(st == NN2_ERR_ARG && strstr(err.msg, "train-images"), "oversized split: %s", err.msg);
    /* a directory without the files */
    st = nn2_mnist_load(&m, "/nonexistent-nn2-dir", 5, 3, &err);
    CHECK(st == NN2_ERR_IO && strstr(err.msg, "/nonexistent-nn2-dir/train-images"), "missing: %s", err.msg);

    char tmp[] = "/tmp/nn2-test-idx-XXXXXX";
    CHECK(mkdtemp(tmp) != NULL, "temporary directory");
    prefixed_set(tmp);
    big_round_trip(tmp, 0);
#if NN2_WITH_ZLIB
    big_round_trip(tmp, 1);
#endif
    rmdir(tmp);

    D = bad;
    char lab_ok[1024];
    snprintf(lab_ok, sizeof lab_ok, "../idx/train-labels.idx1-ubyte");
    expect_fail("bad-magic-idx3-ubyte", lab_ok, NN2_ERR_FORMAT, "magic");
    expect_fail("truncated-idx3-ubyte", lab_ok, NN2_ERR_FORMAT, "truncated");
    expect_fail("short-header-idx3-ubyte", lab_ok, NN2_ERR_FORMAT, "truncated");
    expect_fail("trailing-idx3-ubyte", lab_ok, NN2_ERR_FORMAT, "trailing");
    expect_fail("huge-count-idx3-ubyte", lab_ok, NN2_ERR_FORMAT, "truncated");
    expect_fail("corrupt-idx3-ubyte.gz", lab_ok, NN2_ERR_FORMAT, "gzip");
    expect_fail("no-such-file-idx3-ubyte", lab_ok, NN2_ERR_IO, "cannot open");
    expect_fail("../idx/train-images-idx3-ubyte", "count-mismatch-idx1-ubyte", NN2_ERR_FORMAT, "7 labels");
    expect_fail("../idx/train-images-idx3-ubyte", "label-range-idx1-ubyte", NN2_ERR_FORMAT, "out of range");
    expect_fail("../idx/train-images-idx3-ubyte", "labels-as-images-idx1-ubyte", NN2_ERR_FORMAT, "magic");

    /* the images alone (nn2 predict): the same pixels as with their labels, no labels; a bad
     * image file still refused with its name */
    nn2_idx_set with, alone;
    snprintf(good, sizeof good, "%s/idx/train-images-idx3-ubyte", base);
    snprintf(lab_ok, sizeof lab_ok, "%s/idx/train-labels.idx1-ubyte", base);
    st = nn2_idx_load(&with, good, lab_ok, 10, &err);
    CHECK(st == NN2_OK, "images and labels: %s", err.msg);
    st = nn2_idx_load(&alone, good, NULL, 0, &err);
    CHECK(st == NN2_OK, "images alone: %s", err.msg);
    if (st == NN2_OK && with.images) {
        CHECK(alone.labels == NULL && alone.count == with.count && alone.rows == with.rows &&
                  alone.cols == with.cols,
              "images alone: %zu of %dx%d, labels %p", alone.count, alone.rows, alone.cols,
              (void *)alone.labels);
        CHECK(memcmp(alone.images, with.images, with.count * (size_t)with.rows * (size_t)with.cols) == 0,
              "images alone: the same pixels");
        nn2_idx_free(&alone);
    }
    nn2_idx_free(&with);
    /* a directory where a file should be: a read error naming it, not corrupt data */
    snprintf(bad, sizeof bad, "%s/idx", base);
    st = nn2_idx_load(&alone, bad, NULL, 0, &err);
    CHECK(st == NN2_ERR_IO && strstr(err.msg, bad) && strstr(err.msg, "cannot read"), "a directory: %s", err.msg);
    snprintf(bad, sizeof bad, "%s/idx_bad/truncated-idx3-ubyte", base);
    st = nn2_idx_load(&alone, bad, NULL, 0, &err);
    CHECK(st == NN2_ERR_FORMAT && strstr(err.msg, "truncated-idx3-ubyte"), "truncated images alone: %s", err.msg);
    snprintf(bad, sizeof bad, "%s/idx/train-labels.idx1-ubyte", base);
    st = nn2_idx_load(&alone, bad, NULL, 0, &err);
    CHECK(st == NN2_ERR_FORMAT && strstr(err.msg, "magic"), "labels as images alone: %s", err.msg);
    return test_end("idx");
}
