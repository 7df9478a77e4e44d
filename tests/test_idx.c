/* test_idx.c: the IDX reader and MNIST split on fixtures in tests/data: good raw and gzip files
 * under both spellings, and each kind of bad file rejected with a message naming the file. */
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

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "tests/data";
    char good[1024], bad[1024];
    snprintf(good, sizeof good, "%s/idx", base);
    snprintf(bad, sizeof bad, "%s/idx_bad", base);
    nn2_error err = {{0}};

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
    return test_end("idx");
}
