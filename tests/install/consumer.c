/* consumer.c: a program built against an installed nn2 (tests/test_install.sh builds it with
 * pkg-config and with CMake's find_package), using only nn2.h. It trains a small network on
 * 4x4 images of three classes (a lit row at the top, in the middle or at the bottom, with
 * noise), checks that it learned them, saves it, loads it back and compares the answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nn2.h>

#define N 600
#define DIM 16

static unsigned next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static int fail(const char *what, nn2_status st, const nn2_error *err)
{
    fprintf(stderr, "consumer: %s: %s (%s)\n", what, nn2_strerror(st), err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer MODEL.json\n");
        return 2;
    }
    if (strcmp(nn2_version(), NN2_VERSION_STRING) != 0) {
        fprintf(stderr, "consumer: header %s, library %s\n", NN2_VERSION_STRING, nn2_version());
        return 1;
    }
    static uint8_t images[N * DIM], labels[N];
    unsigned seed = 7;
    for (int i = 0; i < N; i++) {
        const int y = i % 3, row = y == 0 ? 0 : y == 1 ? 1 : 3;
        labels[i] = (uint8_t)y;
        for (int p = 0; p < DIM; p++)
            images[i * DIM + p] = (uint8_t)(p / 4 == row ? 200 + next(&seed) % 56 : next(&seed) % 60);
    }
    nn2_dataset train = {images, labels, 480, DIM, 3, 4, 4, 0};
    nn2_dataset test = {images + 480 * DIM, labels + 480, N - 480, DIM, 3, 4, 4, 0};

    nn2_error err;
    nn2_net *net = NULL;
    const int sizes[] = {DIM, 8, 3};
    nn2_status st = nn2_net_create(&net, sizes, 3, NN2_COST_CROSS_ENTROPY, &err);
    if (st != NN2_OK) return fail("create", st, &err);
    nn2_net_init(net, NN2_INIT_DEFAULT, 1);
    nn2_config cfg;
    nn2_config_default(&cfg);
    cfg.epochs = 10;
    cfg.lambda = 0.1;
    cfg.monitor_eval_accuracy = 0;
    if ((st = nn2_train(net, &cfg, &train, NULL, &err)) != NN2_OK) return fail("train", st, &err);
    nn2_eval_result r;
    if ((st = nn2_evaluate(net, &test, cfg.lambda, 0, &r, &err)) != NN2_OK) return fail("evaluate", st, &err);
    printf("consumer: nn2 %s (%s kernels): %ld / %zu test images right, cost %.4f\n", nn2_version(),
           nn2_isa_name(), r.correct, r.count, r.cost);
    if (r.correct < (long)r.count * 95 / 100) {
        fprintf(stderr, "consumer: the network did not learn the three rows\n");
        return 1;
    }
    if ((st = nn2_net_save(net, argv[1], &err)) != NN2_OK) return fail("save", st, &err);
    nn2_net *back = NULL;
    if ((st = nn2_net_load(&back, argv[1], &err)) != NN2_OK) return fail("load", st, &err);
    int a[N - 480], b[N - 480];
    if ((st = nn2_predict(net, &test, 0, a, NULL, &err)) != NN2_OK ||
        (st = nn2_predict(back, &test, 0, b, NULL, &err)) != NN2_OK)
        return fail("predict", st, &err);
    if (memcmp(a, b, sizeof a) != 0) {
        fprintf(stderr, "consumer: the loaded network answers otherwise\n");
        return 1;
    }
    nn2_net_free(back);
    nn2_net_free(net);
    return 0;
}
