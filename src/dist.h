/* dist.h: the processes (MPI ranks) of one training run, and the few collectives nn2 needs.
 *
 * nn2 spreads a run over processes the way it spreads it over threads: by neuron ownership.
 * Rank r owns a contiguous run of units of every hidden layer, cut at multiples of 16
 * (nn2_dist_units); its threads split that run further. Each rank reads the whole mini-batch, computes its units'
 * activations, and after every hidden layer the ranks exchange their activation columns
 * (nn2_dist_gather_cols, an MPI_Allgatherv); the output layer is computed and updated on every
 * rank. Every weight is still produced by one sequence of operations, whatever the number of
 * ranks and threads, so the results are the same bits (see README, "MPI").
 *
 * Built without MPI (the default), this is a one-process stand-in: rank 0 of 1, nothing to
 * exchange. The MPI calls live in dist_mpi.c only. */
#ifndef NN2_DIST_H
#define NN2_DIST_H

#include <stdint.h>

#include "nn2.h"
#include "net.h"

struct nn2_dist {
    int rank, size;
    int local_size;      /* ranks on this node */
    int mpi;             /* MPI was initialised by nn2_dist_init (and is finalised by us) */
    float *pack;         /* exchange buffer, pack_cap floats */
    size_t pack_cap;
    int *counts, *displs;
    uint64_t step_bytes; /* bytes this rank received in training steps */
    uint64_t steps;      /* mini-batch steps run with more than one rank */
    uint64_t step_calls; /* collectives in those steps */
};

/* Rank `rank` of `size`: its units [*j0, *j1) of a layer of n, cut at multiples of 16 and
 * balanced in units (nn2_split16). */
void nn2_dist_units(int n, int rank, int size, int *j0, int *j1);

/* buf is (rows, ld) row-major; every rank holds the current values of its own columns
 * nn2_dist_units(n, rank, size); afterwards every rank holds all n columns. in_step: count the
 * bytes as training-step traffic. Collective; call from one thread of each rank. */
void nn2_dist_gather_cols(nn2_dist *d, float *buf, int rows, int ld, int n, int in_step);

/* Gather every rank's owned hidden-layer weights and biases of an arena laid out like
 * net->params (the parameters themselves, or the velocities): afterwards all ranks hold the
 * whole arena. */
void nn2_dist_sync_arena(nn2_dist *d, const nn2_net *net, float *arena);

/* Agree on a status: if any rank failed, every rank returns the error of the lowest failing
 * rank (its message, prefixed with its rank when it is not this one). Collective. */
nn2_status nn2_dist_agree(nn2_dist *d, nn2_status st, nn2_error *err);

/* 1 if flag is non-zero on any rank. Collective. */
int nn2_dist_any(nn2_dist *d, int flag);

/* 1 if v is the same on every rank. Collective. */
int nn2_dist_same(nn2_dist *d, uint64_t v);

#endif
