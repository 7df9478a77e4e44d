/* balance.h: the first hidden layer's slices shared out by measured speed (trainer.c). On a
 * shared machine the cores of one team do not run equally fast (on the 16-core machine of the
 * README's "Thread scaling", one vCPU ran a slice's forward product in 22.5 us while another
 * took 44 us in the same step), and an even share waits for the slowest one on every step.
 * Which thread owns which units changes no result (trainer.c), so the trainer times each
 * thread's own first-layer work and moves slices to the faster threads between parallel
 * regions. */
#ifndef NN2_BALANCE_H
#define NN2_BALANCE_H

#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
/* A cheap timestamp, for comparing threads' times (the TSC: one rate on every core). */
static inline uint64_t nn2_ticks(void)
{
    return __rdtsc();
}
#else
#include <time.h>
static inline uint64_t nn2_ticks(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

/* Slices per thread for S slices over nt threads whose time per slice is c[t] (> 0), at least 1
 * and at most cap[t] each (S >= nt, the caps summing to at least S), such that the slowest
 * thread's time, max over t of n[t] c[t], is the least possible: each slice after the first
 * ones goes to the thread that would finish it soonest. */
void nn2_balance_counts(int S, int nt, const double *c, const int *cap, int *n);
/* max over t of n[t] c[t] */
double nn2_balance_time(int nt, const double *c, const int *n);

#endif
