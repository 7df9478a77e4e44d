/* profile.c: the step profile's clock and report (see profile.h). */
#include <time.h>

#include "profile.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

uint64_t nn2_prof_now(void)
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_lfence(); /* the phase's instructions retire before the timestamp is taken */
    const uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static const char *const phase_name[NN2_PH_COUNT] = {"pixels", "forward", "window", "wait", "output", "update"};

void nn2_prof_header(FILE *f)
{
    fprintf(f, "nn2 profile: ns per step\nthread    steps");
    for (int ph = 0; ph < NN2_PH_COUNT; ph++) fprintf(f, " %8s", phase_name[ph]);
    fprintf(f, "    total\n");
}

void nn2_prof_line(FILE *f, int t, const nn2_prof *p, double ticks_per_ns)
{
    if (p->steps == 0) return;
    const double per = 1.0 / ((double)p->steps * ticks_per_ns);
    double total = 0.0;
    fprintf(f, "%6d %8llu", t, (unsigned long long)p->steps);
    for (int ph = 0; ph < NN2_PH_COUNT; ph++) {
        const double ns = (double)p->ticks[ph] * per;
        total += ns;
        fprintf(f, " %8.0f", ns);
    }
    fprintf(f, " %8.0f\n", total);
}
