/* schedule.c: learning-rate schedules and early stopping as a pure function of the accuracy
 * sequence, so they can be tested with a scripted sequence. */
#include "nn2.h"

void nn2_sched_init(nn2_sched_state *s, const nn2_config *c)
{
    s->eta = s->eta0 = c->eta;
    s->best = -1;
    s->best_epoch = -1;
    s->since_best = 0;
    s->since_change = 0;
}

int nn2_sched_after_epoch(nn2_sched_state *s, const nn2_config *c, int epoch, long accuracy)
{
    int flags = 0;
    if (accuracy >= 0) {
        if (accuracy > s->best) {
            s->best = accuracy;
            s->best_epoch = epoch;
            s->since_best = s->since_change = 0;
            flags |= NN2_SCHED_IMPROVED;
        } else {
            s->since_best++;
            s->since_change++;
        }
    }
    if (c->early_stop > 0 && s->since_best >= c->early_stop)
        flags |= NN2_SCHED_STOP | NN2_SCHED_RESTORE_BEST;
    switch (c->schedule) {
    case NN2_SCHED_STEP:
        if (c->step_epochs > 0 && (epoch + 1) % c->step_epochs == 0) {
            s->eta *= c->step_gamma;
            flags |= NN2_SCHED_ETA_CHANGED;
        }
        break;
    case NN2_SCHED_PLATEAU:
        /* the book: halve eta each time there has been no improvement for `patience` epochs
         * (the count restarts after each halving); stop when eta < eta0 / 128 */
        if (c->patience > 0 && s->since_change >= c->patience && !(flags & NN2_SCHED_STOP)) {
            s->eta *= 0.5;
            s->since_change = 0;
            flags |= NN2_SCHED_ETA_CHANGED;
            if (s->eta < s->eta0 / 128.0) flags |= NN2_SCHED_STOP;
        }
        break;
    default: break;
    }
    return flags;
}
