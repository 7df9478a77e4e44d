/* test_json.c: network2-format model files: save -> load gives bit-identical parameters and
 * predictions; malformed, shape-mismatched, non-finite and unknown-cost files are rejected with
 * a message naming the file; a failed save leaves the previous file intact. */
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"
#include "test_util.h"

static char dir[256];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void expect_reject(const char *name, const char *text, const char *needle)
{
    const char *path = write_tmp(name, text);
    nn2_net *net = (nn2_net *)1;
    nn2_error err = {{0}};
    const nn2_status st = nn2_net_load(&net, path, &err);
    CHECK(st != NN2_OK && net == NULL, "%s accepted", name);
    CHECK(strstr(err.msg, name) != NULL, "message names the file: %s", err.msg);
    CHECK(strstr(err.msg, needle) != NULL, "%s: message '%s' mentions '%s'", name, err.msg, needle);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/nn2-test-json.XXXXXX");
    NN2_ASSERT(mkdtemp(dir));
    nn2_error err = {{0}};
    const int sizes[] = {13, 7, 5, 4};
    nn2_net *a, *b;
    CHECK(nn2_net_create(&a, sizes, 4, NN2_COST_QUADRATIC, &err) == NN2_OK, "%s", err.msg);
    nn2_net_init(a, NN2_INIT_LARGE, 5);
    nn2_net_set_weight(a, 0, 1, 2, 1e-30f); /* extremes survive the text round trip */
    nn2_net_set_weight(a, 0, 2, 3, -3.4e38f);
    nn2_net_set_bias(a, 2, 3, 0.1f);
    char path[512];
    snprintf(path, sizeof path, "%s/model.json", dir);
    CHECK(nn2_net_save(a, path, &err) == NN2_OK, "save: %s", err.msg);
    CHECK(nn2_net_load(&b, path, &err) == NN2_OK, "load: %s", err.msg);
    CHECK(nn2_net_n_sizes(b) == 4 && nn2_net_cost(b) == NN2_COST_QUADRATIC, "header");
    int same = 1;
    for (int l = 0; l < 3; l++)
        for (int j = 0; j < sizes[l + 1]; j++) {
            for (int k = 0; k < sizes[l]; k++)
                same &= nn2_net_weight(a, l, j, k) == nn2_net_weight(b, l, j, k);
            same &= nn2_net_bias(a, l, j) == nn2_net_bias(b, l, j);
        }
    CHECK(same, "parameters bit-identical after save -> load");
    /* identical predictions on some inputs */
    uint8_t px[20 * 13], lab[20];
    for (int i = 0; i < 20 * 13; i++) px[i] = (uint8_t)(i * 37 % 256);
    for (int i = 0; i < 20; i++) lab[i] = (uint8_t)(i % 4);
    const nn2_dataset d = {px, lab, 20, 13, 4, 1, 13, 0};
    nn2_eval_result ra, rb;
    CHECK(nn2_evaluate(a, &d, 0.5, 1, &ra, &err) == NN2_OK, "%s", err.msg);
    CHECK(nn2_evaluate(b, &d, 0.5, 1, &rb, &err) == NN2_OK, "%s", err.msg);
    CHECK(ra.correct == rb.correct && ra.cost == rb.cost, "same predictions and cost");

    /* the file is network2's layout: weights (n_out x n_in), biases (n x 1) */
    const char *ok = "{\"sizes\":[2,1],\"weights\":[[[0.5,-0.25]]],\"biases\":[[[0.125]]],\"cost\":\"CrossEntropyCost\"}";
    nn2_net *c;
    CHECK(nn2_net_load(&c, write_tmp("tiny.json", ok), &err) == NN2_OK, "%s", err.msg);
    if (c) {
        CHECK(nn2_net_weight(c, 0, 0, 1) == -0.25f && nn2_net_bias(c, 0, 0) == 0.125f, "values");
        nn2_net_free(c);
    }
    expect_reject("malformed.json", "{\"sizes\": [2, 1], \"weights\": [", "malformed JSON");
    expect_reject("notobject.json", "[1, 2]", "not a JSON object");
    expect_reject("shape.json", "{\"sizes\":[2,1],\"weights\":[[[0.5]]],\"biases\":[[[0.1]]],\"cost\":\"CrossEntropyCost\"}", "weights[0][0]");
    expect_reject("layers.json", "{\"sizes\":[2,1,1],\"weights\":[[[0.5,1]]],\"biases\":[[[0.1]]],\"cost\":\"CrossEntropyCost\"}", "2 layers");
    expect_reject("nonfinite.json", "{\"sizes\":[2,1],\"weights\":[[[0.5,1e999]]],\"biases\":[[[0.1]]],\"cost\":\"CrossEntropyCost\"}", "finite");
    expect_reject("nan.json", "{\"sizes\":[2,1],\"weights\":[[[0.5,NaN]]],\"biases\":[[[0.1]]],\"cost\":\"CrossEntropyCost\"}", "malformed");
    expect_reject("floatrange.json", "{\"sizes\":[2,1],\"weights\":[[[0.5,1e39]]],\"biases\":[[[0.1]]],\"cost\":\"CrossEntropyCost\"}", "finite float");
    expect_reject("cost.json", "{\"sizes\":[2,1],\"weights\":[[[0.5,1]]],\"biases\":[[[0.1]]],\"cost\":\"HingeCost\"}", "HingeCost");
    expect_reject("nocost.json", "{\"sizes\":[2,1],\"weights\":[[[0.5,1]]],\"biases\":[[[0.1]]]}", "cost");
    expect_reject("badsize.json", "{\"sizes\":[2,0],\"weights\":[[]],\"biases\":[[]],\"cost\":\"CrossEntropyCost\"}", "sizes[1]");
    expect_reject("huge.json", "{\"sizes\":[1000000,1000000],\"weights\":[[]],\"biases\":[[]],\"cost\":\"CrossEntropyCost\"}", "weights[0]");
    expect_reject("bias.json", "{\"sizes\":[2,1],\"weights\":[[[0.5,1]]],\"biases\":[[[0.1,0.2]]],\"cost\":\"CrossEntropyCost\"}", "biases[0][0]");

    /* a save into a directory that cannot be written reports the path, leaves the old file */
    char rodir[512], ropath[600];
    snprintf(rodir, sizeof rodir, "%s/ro", dir);
    mkdir(rodir, 0755);
    snprintf(ropath, sizeof ropath, "%s/model.json", rodir);
    CHECK(nn2_net_save(a, ropath, &err) == NN2_OK, "%s", err.msg);
    struct stat before, after;
    stat(ropath, &before);
    chmod(rodir, 0555);
    if (geteuid() == 0) {
        /* root ignores directory permissions: use a path whose directory does not exist */
        snprintf(ropath, sizeof ropath, "%s/missing-dir/model.json", rodir);
    }
    CHECK(nn2_net_save(b, ropath, &err) == NN2_ERR_IO, "save into read-only directory fails");
    CHECK(strstr(err.msg, ropath) != NULL, "message names the path: %s", err.msg);
    snprintf(ropath, sizeof ropath, "%s/model.json", rodir);
    stat(ropath, &after);
    CHECK(before.st_size == after.st_size && before.st_mtime == after.st_mtime, "old file intact");
    chmod(rodir, 0755);
    nn2_net_free(a);
    nn2_net_free(b);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return test_end("json");
}
