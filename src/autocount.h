/* autocount.h: the automatic thread count (nn2_config.threads = 0) from epoch to epoch. The
 * first epoch's probe (train.c) times each candidate count for a few hundred steps, about a
 * millisecond each on small networks: shorter than the time slices in which the OS shares a
 * core between two busy processes, so the probe can fall between another process's slices and
 * keep a count that then runs a whole epoch slower than fewer threads would (on this 2-core VM,
 * [784,30,10] with a busy loop on the second core: 2 threads 1.6x slower than 1). So each later
 * epoch runs the count with the least seconds a step in its latest figure: the last whole epoch
 * it ran, or, for a count not run for a whole epoch, its probe's (the figures leave out what a
 * parallel region costs to open and close: tr->steady_s). Another count replaces the one that
 * ran the last epoch only where its figure is under NN2_AUTO_MARGIN times that one's, so that
 * counts of about the same speed do not take turns. A count whose epoch came out slower than
 * that (another count's figure under the margin times its own) has failed: it sits out one
 * epoch and then runs one again, whatever the figures say (the other process may have ended);
 * each further failed try doubles the epochs it sits out (up to NN2_AUTO_MAX_WAIT), and a try
 * that holds up ends it. Which count runs changes no result (trainer.c), only the time. */
#ifndef NN2_AUTOCOUNT_H
#define NN2_AUTOCOUNT_H

#define NN2_AUTO_MAX 34     /* counts: 1, 2, 4, ... below the team, and the team */
#define NN2_AUTO_MAX_WAIT 16 /* epochs */
#define NN2_AUTO_MARGIN 0.9

typedef struct nn2_autocount {
    int n, last;               /* counts; the index of the one chosen last */
    int count[NN2_AUTO_MAX];   /* distinct thread counts */
    double probe[NN2_AUTO_MAX]; /* seconds a step in the probe (the least of its runs) */
    double est[NN2_AUTO_MAX];  /* the latest figure: a whole epoch's, or the probe's */
    int measured[NN2_AUTO_MAX]; /* est is a whole epoch's */
    int failed[NN2_AUTO_MAX];  /* its last epoch failed (above) */
    int idle[NN2_AUTO_MAX];    /* epochs since it last ran */
    int sit[NN2_AUTO_MAX];     /* epochs a failed count sits out before it runs again */
    int next_sit[NN2_AUTO_MAX]; /* what sit becomes at its next failed try */
} nn2_autocount;

/* From the probe: n >= 1 runs, run r with count[r] threads taking secs[r] seconds a step (a count may
 * run more than once: its least time is kept). The one with the least time, fewer threads on a
 * tie, is the one chosen (returned). */
int nn2_auto_init(nn2_autocount *a, int n, const int *count, const double *secs);
/* The count for the next epoch (call once per epoch, after the one whose count was chosen has
 * been recorded); *retry_after (may be NULL): the epochs it sat out when it is a failed count
 * tried again, else 0. */
int nn2_auto_next(nn2_autocount *a, int *retry_after);
/* A whole epoch (or the rest of the probe's) ran on count threads at secs seconds a step. */
void nn2_auto_record(nn2_autocount *a, int count, double secs);
/* The latest figure of count (seconds a step; *from_probe: whether it is the probe's); -1 if
 * count is not one of a's. */
double nn2_auto_figure(const nn2_autocount *a, int count, int *from_probe);

#endif
