/* test_blocks.c: mini-batches trained in blocks (nn2_trainer_minibatch, step.c): a mini-batch
 * of more than NN2_BLOCK samples is summed block by block into the gradient buffers and
 * updated once, from the sums over all of it. Checked:
 *  - the same training as one step per mini-batch, up to the order of the additions (float
 *    rounding), for every layout of the first layer (a 2-slice layer, a transposed tail, a tail
 *    of one 16-unit slice, whole slices, two hidden layers with the later ones repeated on
 *    every thread or every layer shared out, no hidden layer), under plain L2 SGD (which a
 *    single step applies in the kernel, with the lazy decay), momentum with dropout, and
 *    Nesterov with L1, on 1 and 2 threads, sparse first layer or not; a block that dropped the
 *    earlier blocks' sums, or one that updated, would be far off;
 *  - the buffers hold one block: the trainer of a 5,000-sample mini-batch sizes them for 64
 *    (NN2_BLOCK_ROWS), one of 128 (NN2_BLOCK_FROM) for 128, as one step;
 *  - a mini-batch of at most NN2_BLOCK samples is one step: the same bits as before blocks. */
#include "test_nets.h"
#include "test_util.h"
#include "train.h"

enum { N = 203, DIM = 49 };

/* Two epochs of mini-batches of `batch` on `threads`, in blocks of `block` (NULL: the default). */
static nn2_net *train(const config *cf, const int *sizes, int depth, int batch, int threads,
                      const char *block, const nn2_dataset *d)
{
    if (block)
        NN2_ASSERT(setenv("NN2_BLOCK", block, 1) == 0);
    else
        NN2_ASSERT(unsetenv("NN2_BLOCK") == 0);
    nn2_net *net = config_net(cf, sizes, depth);
    nn2_config c;
    config_train(&c, cf, 2, batch, threads);
    nn2_error err;
    CHECK(nn2_train(net, &c, d, NULL, &err) == NN2_OK, "%s", err.msg);
    NN2_ASSERT(unsetenv("NN2_BLOCK") == 0);
    return net;
}

int main(void)
{
    /* images mostly of zeros, some inputs zero in every image (the sparse first layer selects),
     * every third one rarely set: zero in some blocks of a mini-batch and not in others */
    static uint8_t px[N * DIM], lab[N];
    for (int i = 0; i < N * DIM; i++) {
        const unsigned h = (unsigned)i * 2654435761u, col = (unsigned)(i % DIM);
        px[i] = col % 7 == 0 || (h & 255u) >= (col % 3 == 1 ? 10u : 90u) ? 0 : (uint8_t)(1u + (h >> 24) % 255u);
    }
    for (int i = 0; i < N; i++) lab[i] = (uint8_t)(((unsigned)i * 7u + px[i * DIM + 3]) % 10);
    const nn2_dataset d = {px, lab, N, DIM, 10, 7, 7, 0};
    const config configs[] = {
        {"sigmoid cross-entropy L2", NN2_ACT_SIGMOID, NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY, 0, 0, 0, NN2_REG_L2},
        {"relu softmax dropout momentum", NN2_ACT_RELU, NN2_ACT_SOFTMAX, NN2_COST_LOG_LIKELIHOOD, 0.5f, 0.9, 0, NN2_REG_L2},
        {"tanh nesterov L1", NN2_ACT_TANH, NN2_ACT_SIGMOID, NN2_COST_CROSS_ENTROPY, 0, 0.8, 1, NN2_REG_L1},
    };
    /* blocks of 16 make deeper networks repeat their later layers on every thread (rep: blocks
     * under 32 samples), blocks of 40 share every layer's units out */
    static const struct {
        int sizes[4], depth;
        const char *block;
    } nets[] = {
        {{DIM, 23, 10}, 3, "16"}, {{DIM, 100, 10}, 3, "16"}, {{DIM, 9, 10}, 3, "16"},
        {{DIM, 48, 10}, 3, "16"}, {{DIM, 10}, 2, "16"},      {{DIM, 23, 17, 10}, 4, "16"},
        {{DIM, 23, 17, 10}, 4, "40"}, {{DIM, 40, 30, 10}, 4, "40"},
    };
    const int n_nets = (int)(sizeof nets / sizeof *nets);
    double worst = 0.0;
    for (int s = 0; s < n_nets; s++)
        for (int c = 0; c < 3; c++)
            for (int t = 1; t <= 2; t++)
                for (int sparse = 0; sparse < 2; sparse++) {
                    if (!sparse) NN2_ASSERT(setenv("NN2_SPARSE", "0", 1) == 0);
                    /* mini-batches of 100 (the last one of 3): one step each, or 3 blocks */
                    nn2_net *one = train(&configs[c], nets[s].sizes, nets[s].depth, 100, t, NULL, &d);
                    nn2_net *blk = train(&configs[c], nets[s].sizes, nets[s].depth, 100, t, nets[s].block, &d);
                    NN2_ASSERT(unsetenv("NN2_SPARSE") == 0);
                    const double r = rel_diff(blk, one);
                    worst = fmax(worst, r);
                    CHECK(r < 1e-5, "%s, [%d, %d, ...] (%d layers), blocks of %s, %d threads, %s: blocks "
                          "differ from one step by %g", configs[c].name, nets[s].sizes[0], nets[s].sizes[1],
                          nets[s].depth, nets[s].block, t, sparse ? "sparse" : "dense", r);
                    nn2_net_free(one);
                    nn2_net_free(blk);
                }
    printf("blocks against one step: largest relative difference %.3g\n", worst);

    /* the default blocks (NN2_BLOCK_ROWS): mini-batches of 135 in 3 blocks, the last one of 68
     * (more than a block, no more than NN2_BLOCK_FROM) in 2, against one step each */
    for (int c = 0; c < 3; c++)
        for (int t = 1; t <= 2; t++) {
            const int sizes[] = {DIM, 30, 10};
            nn2_net *one = train(&configs[c], sizes, 3, 135, t, "135", &d);
            nn2_net *blk = train(&configs[c], sizes, 3, 135, t, NULL, &d);
            const double r = rel_diff(blk, one);
            CHECK(r < 1e-5, "%s, %d threads: the default blocks differ from one step by %g", configs[c].name, t, r);
            nn2_net_free(one);
            nn2_net_free(blk);
        }

    /* a mini-batch of at most a block is one step: blocks of 100 give the bits of no blocks */
    for (int c = 0; c < 3; c++) {
        const int sizes[] = {DIM, 100, 10};
        nn2_net *a = train(&configs[c], sizes, 3, 100, 2, NULL, &d);
        nn2_net *b = train(&configs[c], sizes, 3, 100, 2, "100", &d);
        CHECK(memcmp(a->params, b->params, sizeof(float) * a->n_params) == 0,
              "%s: a mini-batch of one block differs from one step", configs[c].name);
        nn2_net_free(a);
        nn2_net_free(b);
    }

    /* the buffers hold one block */
    {
        const int sizes[] = {DIM, 30, 10};
        nn2_net *net = config_net(&configs[0], sizes, 3);
        nn2_config c;
        nn2_config_default(&c);
        nn2_trainer tr;
        nn2_error err;
        NN2_ASSERT(nn2_trainer_init(&tr, net, &c, &d, 5000, 2, &err) == NN2_OK);
        CHECK(tr.m_max == NN2_BLOCK_ROWS && tr.blocked, "a mini-batch of 5000: buffers for %d samples, blocked %d",
              tr.m_max, tr.blocked);
        nn2_trainer_free(&tr);
        NN2_ASSERT(nn2_trainer_init(&tr, net, &c, &d, NN2_BLOCK_FROM, 2, &err) == NN2_OK);
        CHECK(tr.m_max == NN2_BLOCK_FROM && !tr.blocked, "a mini-batch of %d: m_max %d, blocked %d",
              NN2_BLOCK_FROM, tr.m_max, tr.blocked);
        nn2_trainer_free(&tr);
        nn2_net_free(net);
    }
    return test_end("blocks");
}
