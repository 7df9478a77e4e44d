/* profile.h: where a training step's time goes, per thread and phase. Built with
 * -DNN2_PROFILE=ON (scripts/profile.sh), nn2_trainer_step timestamps the end of each phase
 * (rdtsc after lfence on x86, else the monotonic clock) into its thread's record, and
 * nn2_trainer_free prints each thread's nanoseconds per step. In the default build every macro
 * is empty: the step carries no timing code. */
#ifndef NN2_PROFILE_H
#define NN2_PROFILE_H

#include <stdint.h>
#include <stdio.h>

/* The phases of a step, in order. An [in, hidden, out] network's step has one barrier; in
 * deeper networks the later barriers' waits count in the phase they fall in. */
typedef enum nn2_phase {
    NN2_PH_PIXELS,   /* the mini-batch's pixels to floats (those no earlier step converted), labels */
    NN2_PH_FORWARD,  /* the hidden layers' forward pass (the thread's units) and, on 2 threads,
                        its group's output sums; without a window the next mini-batch's burst */
    NN2_PH_WINDOW,   /* after raising the barrier's flag: the next mini-batch's burst of
                        prefetches and its first rows converted */
    NN2_PH_WAIT,     /* waiting for the other threads' flags */
    NN2_PH_OUTPUT,   /* partial sums combined, output layer, BP1, BP2 */
    NN2_PH_UPDATE,   /* weight gradients and updates, the output layer's too */
    NN2_PH_COUNT
} nn2_phase;

typedef struct nn2_prof {
    uint64_t last;                 /* the time the current phase began */
    uint64_t ticks[NN2_PH_COUNT];  /* summed over this thread's steps */
    uint64_t steps;
} nn2_prof;

/* Now, in the profile's ticks. */
uint64_t nn2_prof_now(void);
/* The report: a header, then per thread (nothing for one that ran no step) its steps, each
 * phase and their total in nanoseconds per step; ticks_per_ns converts. */
void nn2_prof_header(FILE *f);
void nn2_prof_line(FILE *f, int t, const nn2_prof *p, double ticks_per_ns);

#if defined(NN2_PROFILE) && NN2_PROFILE
#define NN2_PROF_BEGIN(pr) ((pr)->last = nn2_prof_now())
#define NN2_PROF_MARK(pr, ph)                            \
    do {                                                 \
        const uint64_t now_ = nn2_prof_now();            \
        (pr)->ticks[ph] += now_ - (pr)->last;            \
        (pr)->last = now_;                               \
    } while (0)
#define NN2_PROF_STEP(pr) ((pr)->steps++)
#else
#define NN2_PROF_BEGIN(pr) ((void)0)
#define NN2_PROF_MARK(pr, ph) ((void)0)
#define NN2_PROF_STEP(pr) ((void)0)
#endif

#endif
