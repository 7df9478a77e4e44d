/* dist_common.c: what the one-process and the MPI builds of dist share: who owns which units,
 * the arena synchronisation built on nn2_dist_gather_cols, and the accessors. */
#include "dist.h"
#include "parallel.h"

void nn2_dist_units(int n, int rank, int size, int *j0, int *j1)
{
    nn2_split16(n, size, rank, j0, j1);
}

void nn2_dist_sync_arena(nn2_dist *d, const nn2_net *net, float *arena)
{
    if (!d || d->size < 2) return;
    /* the output layer is computed and updated by every rank: only hidden layers are owned */
    for (int l = 0; l + 1 < net->n_layers; l++) {
        const nn2_layer *ly = &net->layer[l];
        nn2_dist_gather_cols(d, nn2_arena_WT(net, arena, l), ly->n_in, ly->ldw, ly->n_out, 0);
        nn2_dist_gather_cols(d, nn2_arena_b(net, arena, l), 1, ly->n_out, ly->n_out, 0);
    }
}

int nn2_dist_rank(const nn2_dist *d) { return d ? d->rank : 0; }
int nn2_dist_size(const nn2_dist *d) { return d ? d->size : 1; }

void nn2_dist_traffic(const nn2_dist *d, uint64_t *bytes, uint64_t *steps, uint64_t *calls)
{
    *bytes = d ? d->step_bytes : 0;
    *steps = d ? d->steps : 0;
    *calls = d ? d->step_calls : 0;
}
