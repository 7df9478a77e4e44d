/* step.h: one thread's mini-batch step (step.c) and the ownership rules of trainer.c that it
 * shares: which units and tail halves a thread computes, where the tail's biases are, and when
 * the two threads of a team own the output layer's rows by groups. */
#ifndef NN2_STEP_H
#define NN2_STEP_H

#include "train.h"

/* A thread's first-layer weight gradient over mini-batches of NN2_PACK_MIN_M samples or more and
 * NN2_PACK_MIN_N units or more reads its deltas by panels of NN2_PACK_W columns, which BP2
 * writes into nn2_priv.dpk (step.c). */
enum { NN2_PACK_MIN_M = 64, NN2_PACK_MIN_N = 256, NN2_PACK_W = 48 };

/* Hidden layer l's work of thread t of nt: units [*j0,*j1), and with a tail (or an in2 first
 * layer by halves), its halves [*h0,*h1) of {0, 1} (trainer.c). */
void nn2_trainer_share(const nn2_trainer *tr, int l, int t, int nt, int *j0, int *j1, int *h0, int *h1);
/* The halves of a layer cut over its inputs (single, in2) that thread t of nt computes,
 * [*h0, *h1) of {0, 1}: both on one thread, else half t (none from the third thread on). */
static inline void nn2_trainer_halves(int t, int nt, int *h0, int *h1)
{
    *h0 = nt == 1 ? 0 : t < 2 ? t : 2;
    *h1 = nt == 1 ? 2 : t < 2 ? t + 1 : 2;
}
/* Whether a team of T threads computes an in2 first layer by its halves (train.h). */
int nn2_trainer_in2_halves(const nn2_trainer *tr, int T);
/* This rank holds the tail (with one rank, whenever there is one). */
int nn2_trainer_holds_tail(const nn2_trainer *tr);
/* Offset of the tail's biases in tw[h] (tg[h], tv[h]): after half h's weights (not tt: all of
 * them in half 0). */
size_t nn2_trainer_tail_boff(const nn2_trainer *tr, int h);
/* The tail's units that half h computes, [*u0, *u1): with tt its own, else all of them. */
void nn2_trainer_tail_units(const nn2_trainer *tr, int h, int *u0, int *u1);
/* [in, hidden, out] networks on 2 threads of one rank: each thread owns one group of hidden
 * units and the output layer's rows of that group. */
int nn2_trainer_rows_owned(const nn2_trainer *tr, int nt);
/* One mini-batch step (samples idx[base .. base+mb)), run by every thread t of a team of nt
 * inside a parallel region opened by trainer.c; o == NULL: gradients only; next: the size of
 * the mini-batch after it (0: none), whose pixels it asks the cache for. */
void nn2_trainer_step(nn2_trainer *tr, const uint32_t *idx, size_t base, int mb, int epoch,
                      const nn2_optim *o, int t, int nt, size_t next);
/* One mini-batch step of any size: a mini-batch of more than tr->m_max samples (the trainer's
 * mini-batch size, or with blocks tr->block: so a smaller last mini-batch is cut too) in nb
 * blocks of at most tr->block (block b: samples [mb*b/nb, mb*(b+1)/nb)), each a step
 * (nn2_trainer_step) that sums its gradients into the ones of the blocks before it, the last
 * one applying them with o: the gradients are the sums over the whole mini-batch (in another
 * order of additions than in one step), and the cut depends on mb alone, so the thread count
 * still changes no bit; else one step. next: the size of the mini-batch after it (0: none). */
void nn2_trainer_minibatch(nn2_trainer *tr, const uint32_t *idx, size_t base, int mb, int epoch,
                           const nn2_optim *o, int t, int nt, size_t next);

#endif
