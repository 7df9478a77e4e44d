/* test_threads.c: the determinism promise: same seed => bit-identical parameters and saved
 * model bytes for 1, 2, 3 and 4 threads (oversubscribing is fine), including mini-batches
 * smaller than the thread count and a smaller last mini-batch; and evaluation results
 * independent of the thread count. */
#include "net.h"
#include "fileio.h"
#include "test_util.h"
#include <unistd.h>

enum { N = 203, DIM = 49 };

static nn2_net *train_with(int threads, int batch, nn2_cost cost, const nn2_dataset *d)
{
    const int sizes[] = {DIM, 23, 17, 10};
    nn2_net *net;
    nn2_error err;
    NN2_ASSERT(nn2_net_create(&net, sizes, 4, cost, &err) == NN2_OK);
    nn2_net_init(net, NN2_INIT_DEFAULT, 42);
    nn2_config c;
    nn2_config_default(&c);
    c.epochs = 3;
    c.batch_size = batch;
    c.threads = threads;
    c.seed = 7;
    c.monitor_eval_accuracy = 0;
    CHECK(nn2_train(net, &c, d, NULL, &err) == NN2_OK, "%s", err.msg);
    return net;
}

int main(void)
{
    static uint8_t px[N * DIM], lab[N];
    for (int i = 0; i < N * DIM; i++) px[i] = (uint8_t)((i * 2654435761u) >> 24);
    for (int i = 0; i < N; i++) lab[i] = (uint8_t)(((unsigned)i * 7u + px[i * DIM]) % 10);
    const nn2_dataset d = {px, lab, N, DIM, 10};
    const int batches[] = {1, 3, 10, 64};
    for (int c = 0; c < NN2_COST_COUNT; c++)
        for (int bi = 0; bi < 4; bi++) {
            nn2_net *ref = train_with(1, batches[bi], (nn2_cost)c, &d);
            char p1[64], pt[64];
            snprintf(p1, sizeof p1, "/tmp/nn2-threads-%d-1.json", (int)getpid());
            nn2_error err;
            NN2_ASSERT(nn2_net_save(ref, p1, &err) == NN2_OK);
            for (int t = 2; t <= 4; t++) {
                nn2_net *net = train_with(t, batches[bi], (nn2_cost)c, &d);
                CHECK(memcmp(net->params, ref->params, sizeof(float) * ref->n_params) == 0,
                      "%s batch %d: %d threads differ from 1", nn2_cost_name((nn2_cost)c), batches[bi], t);
                snprintf(pt, sizeof pt, "/tmp/nn2-threads-%d-%d.json", (int)getpid(), t);
                NN2_ASSERT(nn2_net_save(net, pt, &err) == NN2_OK);
                char *a, *b;
                size_t la, lb;
                NN2_ASSERT(nn2_read_file(p1, 1 << 26, &a, &la, &err) == NN2_OK);
                NN2_ASSERT(nn2_read_file(pt, 1 << 26, &b, &lb, &err) == NN2_OK);
                CHECK(la == lb && memcmp(a, b, la) == 0, "saved model bytes differ at %d threads", t);
                free(a);
                free(b);
                remove(pt);
                nn2_eval_result r1, rt;
                NN2_ASSERT(nn2_evaluate(net, &d, 1.0, 1, &r1, &err) == NN2_OK);
                NN2_ASSERT(nn2_evaluate(net, &d, 1.0, t, &rt, &err) == NN2_OK);
                CHECK(r1.correct == rt.correct && r1.cost == rt.cost, "evaluation depends on threads");
                nn2_net_free(net);
            }
            remove(p1);
            nn2_net_free(ref);
        }
    return test_end("threads");
}
