/* test_placement.c [numa]: the placement plan on hwloc's synthetic topology of 2 packages x
 * 1 NUMA node x 4 cores x 2 PUs, for 1, 4, 8 and 16 threads under compact, spread and none,
 * against the expected thread -> PU / core / node tables; oversubscription and OMP_PLACES
 * disable nn2's binding; on this machine training gives the same bits bound or not, and hands
 * the calling thread its CPU set back.
 * "numa": on a machine with several NUMA nodes, checks with move_pages(2) that a thread's
 * first-touched buffer lies on its planned node (exit 77 on one node). */
#define _GNU_SOURCE /* syscall(2) */
#include <dirent.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "net.h"
#include "placement.h"
#include "test_util.h"
#include "train.h"

#define SYN "pack:2 numa:1 l3:1 core:4 pu:2"

static void expect_plan(int T, nn2_bind b, const int *pu, const int *core, const int *node)
{
    nn2_plan p;
    nn2_error err;
    CHECK(nn2_plan_make(&p, T, b, SYN, &err) == NN2_OK, "%s", err.msg);
    CHECK(p.n_numa == 2 && p.n_cores == 8 && p.n_pus == 16 && p.n_packages == 2, "synthetic topology read");
    int ok = 1;
    for (int t = 0; t < T; t++)
        ok &= p.place[t].pu == pu[t] && p.place[t].core == core[t] && p.place[t].numa == node[t];
    CHECK(ok, "plan for %d threads, policy %d", T, (int)b);
    if (!ok)
        for (int t = 0; t < T; t++)
            fprintf(stderr, "  thread %d: PU %d core %d node %d (want %d %d %d)\n", t, p.place[t].pu,
                    p.place[t].core, p.place[t].numa, pu[t], core[t], node[t]);
    nn2_plan_free(&p);
}

/* Threads of this process allowed exactly PU pu (the Cpus_allowed_list of /proc's status). */
static int threads_on(int pu)
{
    char want[48], path[300], line[256];
    snprintf(want, sizeof want, "Cpus_allowed_list:\t%d\n", pu);
    DIR *dir = opendir("/proc/self/task");
    int n = 0;
    for (struct dirent *e; dir && (e = readdir(dir)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f)) n += !strcmp(line, want);
        if (f) fclose(f);
    }
    if (dir) closedir(dir);
    return n;
}

typedef struct {
    nn2_trainer *tr;
    const uint32_t *idx;
    int n, on_pu;
} elsewhere;

/* One step on 2 threads from a thread of its own, whose OpenMP team threads are new ones (a
 * new master gets a new pool), then the threads on thread 1's PU while that pool is alive. */
static void *train_elsewhere(void *arg)
{
    elsewhere *c = arg;
    nn2_train_batch(c->tr, c->idx, 0, 5, (size_t)c->n, 0.1, 0, 2);
    c->on_pu = threads_on(c->tr->plan->place[1].pu);
    return NULL;
}

static int numa_check(void)
{
    nn2_plan p;
    nn2_error err;
    if (nn2_plan_make(&p, 2, NN2_BIND_SPREAD, NULL, &err) != NN2_OK) return 1;
    if (p.n_numa < 2) {
        printf("one NUMA node: page placement not checkable here, skipped\n");
        nn2_plan_free(&p);
        return 77;
    }
    /* thread 1 of a spread plan is on node 1: bind, first-touch a buffer, ask the kernel */
    int bad = 0;
#pragma omp parallel num_threads(2) reduction(+ : bad)
    {
        const int t = omp_get_thread_num();
        nn2_plan_bind_self(&p, t);
        float *buf = nn2_alloc(1 << 20, sizeof(float));
        void *pages[4] = {buf, (char *)buf + (1 << 20), (char *)buf + (2 << 20), (char *)buf + (3 << 20)};
        int status[4] = {-1, -1, -1, -1};
        if (syscall(SYS_move_pages, 0, 4UL, pages, NULL, status, 0) != 0) bad++;
        for (int i = 0; i < 4; i++) bad += status[i] != p.place[t].numa;
        nn2_free(buf);
    }
    CHECK(bad == 0, "pages not on the planned node");
    /* the per-node copies of the training images: every page on its node, same bytes */
    const size_t bytes = (size_t)4 << 20;
    unsigned char *src = malloc(bytes);
    for (size_t i = 0; src && i < bytes; i++) src[i] = (unsigned char)(i * 131u >> 3);
    for (int q = 0; src && q < p.n_numa; q++) {
        unsigned char *c = nn2_plan_node_copy(&p, q, src, bytes);
        CHECK(c != NULL, "no copy for node %d", q);
        if (!c) continue;
        void *pages[4] = {c, c + (1 << 20), c + (2 << 20), c + (3 << 20)};
        int status[4] = {-1, -1, -1, -1};
        CHECK(syscall(SYS_move_pages, 0, 4UL, pages, NULL, status, 0) == 0, "move_pages");
        for (int i = 0; i < 4; i++) CHECK(status[i] == q, "copy for node %d has a page on node %d", q, status[i]);
        CHECK(memcmp(c, src, bytes) == 0, "copy for node %d differs", q);
        nn2_plan_free_copy(&p, c, bytes);
    }
    free(src);
    nn2_plan_free(&p);
    return test_end("placement numa");
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "numa")) return numa_check();
    const int one[] = {0};
    expect_plan(1, NN2_BIND_COMPACT, one, one, one);
    expect_plan(1, NN2_BIND_SPREAD, one, one, one);
    const int c4_pu[] = {0, 2, 4, 6}, c4_core[] = {0, 1, 2, 3}, c4_node[] = {0, 0, 0, 0};
    expect_plan(4, NN2_BIND_COMPACT, c4_pu, c4_core, c4_node);
    const int s4_pu[] = {0, 8, 2, 10}, s4_core[] = {0, 4, 1, 5}, s4_node[] = {0, 1, 0, 1};
    expect_plan(4, NN2_BIND_SPREAD, s4_pu, s4_core, s4_node);
    const int c8_pu[] = {0, 2, 4, 6, 8, 10, 12, 14}, c8_core[] = {0, 1, 2, 3, 4, 5, 6, 7},
              c8_node[] = {0, 0, 0, 0, 1, 1, 1, 1};
    expect_plan(8, NN2_BIND_COMPACT, c8_pu, c8_core, c8_node);
    const int s8_pu[] = {0, 8, 2, 10, 4, 12, 6, 14}, s8_core[] = {0, 4, 1, 5, 2, 6, 3, 7},
              s8_node[] = {0, 1, 0, 1, 0, 1, 0, 1};
    expect_plan(8, NN2_BIND_SPREAD, s8_pu, s8_core, s8_node);
    int c16_pu[16], c16_core[16], c16_node[16], s16_pu[16], s16_core[16], s16_node[16];
    for (int t = 0; t < 16; t++) {
        c16_core[t] = t % 8;
        c16_pu[t] = 2 * (t % 8) + t / 8;
        c16_node[t] = (t % 8) / 4;
        s16_core[t] = s8_core[t % 8];
        s16_pu[t] = s8_pu[t % 8] + t / 8;
        s16_node[t] = t % 2;
    }
    expect_plan(16, NN2_BIND_COMPACT, c16_pu, c16_core, c16_node);
    expect_plan(16, NN2_BIND_SPREAD, s16_pu, s16_core, s16_node);
    const int none[16] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    for (int T = 1; T <= 16; T *= 4) expect_plan(T, NN2_BIND_NONE, none, none, none);
    nn2_plan p;
    nn2_error err;
    CHECK(nn2_plan_make(&p, 32, NN2_BIND_COMPACT, SYN, &err) == NN2_OK && p.policy == NN2_BIND_NONE,
          "32 threads on 16 PUs: not bound");
    nn2_plan_free(&p);
    setenv("OMP_PLACES", "cores", 1);
    CHECK(nn2_plan_make(&p, 2, NN2_BIND_COMPACT, NULL, &err) == NN2_OK && p.policy == NN2_BIND_NONE && p.omp_binds,
          "OMP_PLACES takes over");
    nn2_plan_free(&p);
    unsetenv("OMP_PLACES");

    /* this machine: bound or not, the same bits */
    enum { N = 120, DIM = 25 };
    static uint8_t px[N * DIM], lab[N];
    for (int i = 0; i < N * DIM; i++) px[i] = (uint8_t)(i * 37);
    for (int i = 0; i < N; i++) lab[i] = (uint8_t)(i % 10);
    const nn2_dataset d = {px, lab, N, DIM, 10, 5, 5, 0};
    const int sizes[] = {DIM, 40, 10};
    float *w[3];
    cpu_set_t before, after; /* training binds this thread; it must get its own binding back */
    NN2_ASSERT(sched_getaffinity(0, sizeof before, &before) == 0);
    for (int b = 0; b < 3; b++) {
        nn2_net *net;
        NN2_ASSERT(nn2_net_create(&net, sizes, 3, NN2_COST_CROSS_ENTROPY, &err) == NN2_OK);
        nn2_net_init(net, NN2_INIT_DEFAULT, 3);
        nn2_config c;
        nn2_config_default(&c);
        c.epochs = 2;
        c.threads = 2;
        c.bind = (nn2_bind)b;
        c.monitor_eval_accuracy = 0;
        CHECK(nn2_train(net, &c, &d, NULL, &err) == NN2_OK, "%s", err.msg);
        NN2_ASSERT(sched_getaffinity(0, sizeof after, &after) == 0);
        CHECK(CPU_EQUAL(&before, &after), "bind %d: the caller's CPU set after training is %d CPUs, was %d",
              b, CPU_COUNT(&after), CPU_COUNT(&before));
        w[b] = malloc(sizeof(float) * net->n_params);
        memcpy(w[b], net->params, sizeof(float) * net->n_params);
        if (b == 2) {
            CHECK(memcmp(w[0], w[1], sizeof(float) * net->n_params) == 0 &&
                      memcmp(w[0], w[2], sizeof(float) * net->n_params) == 0,
                  "binding changes the result");
        }
        nn2_net_free(net);
    }
    for (int b = 0; b < 3; b++) free(w[b]);

    /* a team thread that OpenMP makes after the trainer's set-up inherits the binding of the
     * thread that makes it (here the master's PU; OpenMP also remakes threads when a team
     * shrinks and grows, as the automatic thread count's probe does): the trainer binds it when
     * its region starts. On 16 cores, 8 such threads left on one PU made an epoch 200x slower. */
    nn2_plan q;
    if (nn2_plan_make(&q, 2, NN2_BIND_COMPACT, NULL, &err) == NN2_OK && q.policy != NN2_BIND_NONE && q.n_pus >= 2) {
        nn2_net *net;
        NN2_ASSERT(nn2_net_create(&net, sizes, 3, NN2_COST_CROSS_ENTROPY, &err) == NN2_OK);
        nn2_net_init(net, NN2_INIT_DEFAULT, 3);
        nn2_config c;
        nn2_config_default(&c);
        nn2_trainer tr;
        NN2_ASSERT(nn2_trainer_init_placed(&tr, net, &c, &d, 5, 2, &q, &err) == NN2_OK);
        static uint32_t idx[N];
        for (int i = 0; i < N; i++) idx[i] = (uint32_t)i;
        const int pu1 = q.place[1].pu, was = threads_on(pu1);
        elsewhere e = {&tr, idx, N, -1};
        pthread_t th;
        NN2_ASSERT(pthread_create(&th, NULL, train_elsewhere, &e) == 0 && pthread_join(th, NULL) == 0);
        CHECK(was >= 1 && e.on_pu == was + 1,
              "a team thread made after the set-up is not bound: %d threads on PU %d during, %d before",
              e.on_pu, pu1, was);
        nn2_trainer_free(&tr);
        nn2_net_free(net);
    } else {
        printf("threads not bound here (one PU, or OMP_PLACES): the new-thread binding not checked\n");
    }
    nn2_plan_free(&q);
    return test_end("placement");
}
