/* test_autocount.c: the automatic thread count from epoch to epoch (src/autocount.h), on made-up
 * figures: the probe's choice, no change while the kept count holds up, a count that comes out
 * slower replaced by the next best, tried again after 1, 2, 4, 8, 16 and then every 16 epochs,
 * and kept again once a try holds up; counts of about the same speed not taking turns (the
 * margin); ties to fewer threads. */
#include "autocount.h"
#include "test_util.h"

/* Runs epochs e0..e1-1: each epoch's count from nn2_auto_next, then its figure from us(count),
 * recorded; the counts into got[e] and the retries' waits into wait[e]. */
static void run_epochs(nn2_autocount *a, int e0, int e1, double (*us)(int count, int epoch), int *got,
                       int *wait)
{
    for (int e = e0; e < e1; e++) {
        got[e] = nn2_auto_next(a, &wait[e]);
        nn2_auto_record(a, got[e], 1e-6 * us(got[e], e));
    }
}

static double steady(int c, int e) /* 2 threads 4.5 us a step, 1 thread 6.8 */
{
    (void)e;
    return c == 2 ? 4.5 : 6.8;
}
static double busy(int c, int e) /* another process on the second core: 2 threads 10 us */
{
    (void)e;
    return c == 2 ? 10.0 : 6.8;
}
static double ends(int c, int e) /* ... until epoch 12 */
{
    return e < 12 ? busy(c, e) : steady(c, e);
}

int main(void)
{
    const int pc[3] = {2, 1, 2};
    const double ps[3] = {5.0e-6, 6.5e-6, 4.4e-6}; /* the probe: 2, 1, 2 threads */
    nn2_autocount a;
    int got[64], wait[64], fp = -1;

    CHECK(nn2_auto_init(&a, 3, pc, ps) == 2 && a.n == 2, "the probe's choice: 2 threads of 2 counts");
    CHECK(nn2_auto_figure(&a, 2, &fp) == 4.4e-6 && fp == 1, "2 threads' figure: the least of its runs, the probe's");
    CHECK(nn2_auto_figure(&a, 3, NULL) == -1, "a count not probed has no figure");
    nn2_auto_record(&a, 2, 4.6e-6);
    run_epochs(&a, 1, 40, steady, got, wait);
    int moved = 0;
    for (int e = 1; e < 40; e++) moved += got[e] != 2 || wait[e] != 0;
    CHECK(moved == 0, "steady: %d epochs not on 2 threads", moved);
    CHECK(nn2_auto_figure(&a, 2, &fp) == 4.5e-6 && fp == 0, "2 threads' figure: its last epoch's");

    /* another process on the second core from the start: 2 threads tried at epochs 0 (the rest
     * of the probe's), 2, 5, 10, 19, 36, then every 17 (sitting out 16) */
    nn2_auto_init(&a, 3, pc, ps);
    nn2_auto_record(&a, 2, 10e-6);
    run_epochs(&a, 1, 64, busy, got, wait);
    int want_try[64] = {0}, bad = 0;
    const int tries[] = {2, 5, 10, 19, 36, 53};
    for (int i = 0; i < 6; i++) want_try[tries[i]] = 1;
    for (int e = 1; e < 64; e++) {
        bad += got[e] != (want_try[e] ? 2 : 1);
        const int w = e == 2 ? 1 : e == 5 ? 2 : e == 10 ? 4 : e == 19 ? 8 : e >= 36 && want_try[e] ? 16 : 0;
        bad += wait[e] != w;
    }
    CHECK(bad == 0, "busy second core: %d epochs off the schedule", bad);
    for (int e = 1; e < 24 && bad; e++) fprintf(stderr, "  epoch %d: %d threads (sat out %d)\n", e, got[e], wait[e]);

    /* the other process ends at epoch 12: 2 threads' try at epoch 19 holds up, and they stay;
     * a later slow epoch sits out one epoch only (the waits start again) */
    nn2_auto_init(&a, 3, pc, ps);
    nn2_auto_record(&a, 2, 10e-6);
    run_epochs(&a, 1, 30, ends, got, wait);
    bad = 0;
    for (int e = 19; e < 30; e++) bad += got[e] != 2;
    CHECK(got[18] == 1 && bad == 0, "after the other process: epoch 18 on %d threads, %d of epochs 19-29 not on 2",
          got[18], bad);
    nn2_auto_record(&a, 2, 10e-6); /* (epoch 29 again, slow) */
    int w30, w32;
    const int c30 = nn2_auto_next(&a, &w30);
    nn2_auto_record(&a, c30, 6.8e-6);
    const int c31 = nn2_auto_next(&a, &w32);
    CHECK(c30 == 1 && c31 == 2 && w32 == 1, "one slow epoch after a try held: %d then %d threads (sat out %d), want 1, 2, 1",
          c30, c31, w32);

    /* the margin: 8 threads at 3.2 us stay against 16 at 3.1 (not under 0.9 x 3.2), and give way at 3.5 */
    const int mc[5] = {16, 1, 2, 4, 8};
    const double ms[5] = {3.1e-6, 20e-6, 11e-6, 6e-6, 3.0e-6};
    CHECK(nn2_auto_init(&a, 5, mc, ms) == 8, "the probe's choice of 16, 1, 2, 4, 8: 8");
    nn2_auto_record(&a, 8, 3.2e-6);
    CHECK(nn2_auto_next(&a, NULL) == 8, "8 threads at 3.2 us kept against 16's 3.1");
    nn2_auto_record(&a, 8, 3.5e-6);
    CHECK(nn2_auto_next(&a, NULL) == 16, "8 threads at 3.5 us give way to 16's 3.1");

    /* ties: fewer threads */
    const int tc[2] = {4, 2};
    const double ts[2] = {2e-6, 2e-6};
    CHECK(nn2_auto_init(&a, 2, tc, ts) == 2, "a tie goes to fewer threads");
    nn2_auto_record(&a, 3, 1e-6); /* not one of its counts: ignored */
    CHECK(nn2_auto_next(&a, NULL) == 2, "a count not probed recorded: ignored");
    return test_end("autocount");
}
