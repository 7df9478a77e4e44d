/* optim.h: parameter updates over flat ranges of the arena: network2's SGD with L2, L1, and
 * (Nesterov) momentum, all with the regularization term on weights only. */
#ifndef NN2_OPTIM_H
#define NN2_OPTIM_H

#include <stddef.h>

#include "nn2.h"
#include "nn2_kernels.h"

/* Coefficients of one mini-batch step, computed once per step: the kernel's steps for weights
 * and biases (their coefficients in nn2_kupd), and what the fused plain-L2 path of step.c reads
 * (reg, momentum, decay, scale: the same numbers as in uw). */
typedef struct nn2_optim {
    nn2_reg reg;
    int momentum;
    /* a block of a mini-batch trained in blocks (nn2_trainer_minibatch): acc_in, the gradient
     * buffers hold the sums of the blocks before it, to be added to; acc_more, blocks follow
     * it, so it leaves its sums there and updates nothing */
    int acc_in, acc_more;
    float decay; /* plain L2: 1 - eta*lambda/n */
    float scale; /* plain: eta/m */
    nn2_kupd uw, ub; /* the kernel's step for weights and for biases */
    void (*update)(int M, int n, float *w, int ldw, const float *g, int ldg, float *v,
                   const nn2_kupd *u); /* k->update */
    void (*update_sel)(int r0, int r1, int n, float *w, int ldw, const float *g, int ldg, float *v,
                       const nn2_kupd *u, const int *rows, int M, int base); /* k->update_sel */
} nn2_optim;

void nn2_optim_setup(nn2_optim *o, const nn2_kernels *k, const nn2_config *c, double eta, size_t n,
                     int m);
/* n biases w, their summed gradients g and velocities v (NULL without momentum): one step, with
 * no regularization term. Through the kernel set's update. */
void nn2_optim_update_bias(const nn2_optim *o, float *w, const float *g, float *v, int n);
/* M rows of n weights: w and v at stride ldw, g at stride ldg; one kernel call. */
void nn2_optim_update_rows(const nn2_optim *o, int M, int n, float *w, int ldw, const float *g,
                           int ldg, float *v);
/* Rows r0..r1-1 of n weights (w, v and g at row r: + r * ldw, g + r * ldg), the gradient's rows
 * those of rows[i] - base (i < M), +0 elsewhere (not read); one kernel call (update_sel). */
void nn2_optim_update_sel(const nn2_optim *o, int r0, int r1, int n, float *w, int ldw,
                          const float *g, int ldg, float *v, const int *rows, int M, int base);

#endif
