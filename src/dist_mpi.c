/* dist_mpi.c: the MPI side of dist.h (nn2 built with -DNN2_MPI=ON). Every call is made by one
 * thread of each rank, the one that initialised MPI (MPI_THREAD_FUNNELED): OpenMP's thread 0
 * between two barriers inside a training step, or the main thread outside. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dist.h"

nn2_status nn2_dist_init(int *argc, char ***argv, nn2_dist **out, nn2_error *err)
{
    *out = NULL;
    int provided = 0, inited = 0;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return nn2_fail(err, NN2_ERR_IO, "MPI_Init_thread failed");
    if (inited) MPI_Query_thread(&provided);
    if (provided < MPI_THREAD_FUNNELED)
        return nn2_fail(err, NN2_ERR_IO, "this MPI library does not support MPI_THREAD_FUNNELED");
    nn2_dist *d = calloc(1, sizeof *d);
    if (!d) return nn2_fail(err, NN2_ERR_NOMEM, "out of memory");
    d->mpi = !inited;
    MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &d->size);
    MPI_Comm node;
    d->local_size = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &d->local_size);
        MPI_Comm_free(&node);
    }
    d->counts = calloc((size_t)d->size, sizeof(int));
    d->displs = calloc((size_t)d->size, sizeof(int));
    if (!d->counts || !d->displs) {
        nn2_dist_finalize(d);
        return nn2_fail(err, NN2_ERR_NOMEM, "out of memory");
    }
    *out = d;
    return NN2_OK;
}

void nn2_dist_finalize(nn2_dist *d)
{
    if (!d) return;
    const int mpi = d->mpi;
    free(d->pack);
    free(d->counts);
    free(d->displs);
    free(d);
    if (mpi) MPI_Finalize();
}


/* Out-of-memory here cannot be reported to the other ranks without a collective they are not
 * in, so it ends the job the way MPI ends it on a failed rank. */
static float *pack_buffer(nn2_dist *d, size_t n)
{
    if (n > d->pack_cap) {
        free(d->pack);
        d->pack = malloc(sizeof(float) * n);
        d->pack_cap = d->pack ? n : 0;
        if (!d->pack) {
            fprintf(stderr, "nn2: rank %d: out of memory for an MPI exchange buffer\n", d->rank);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
    }
    return d->pack;
}

void nn2_dist_gather_cols(nn2_dist *d, float *buf, int rows, int ld, int n, int in_step)
{
    if (!d || d->size < 2 || rows <= 0 || n <= 0) return;
    const int R = d->size;
    int j0, j1, total = 0;
    for (int r = 0; r < R; r++) {
        nn2_dist_units(n, r, R, &j0, &j1);
        d->counts[r] = rows * (j1 - j0);
        d->displs[r] = total;
        total += d->counts[r];
    }
    float *p = pack_buffer(d, (size_t)total);
    nn2_dist_units(n, d->rank, R, &j0, &j1);
    const int w = j1 - j0;
    float *mine = p + d->displs[d->rank];
    for (int i = 0; i < rows; i++) memcpy(mine + (size_t)i * w, buf + (size_t)i * ld + j0, sizeof(float) * w);
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, p, d->counts, d->displs, MPI_FLOAT,
                   MPI_COMM_WORLD);
    for (int r = 0; r < R; r++) {
        if (r == d->rank) continue;
        int c0, c1;
        nn2_dist_units(n, r, R, &c0, &c1);
        const int wr = c1 - c0;
        const float *src = p + d->displs[r];
        for (int i = 0; i < rows; i++) memcpy(buf + (size_t)i * ld + c0, src + (size_t)i * wr, sizeof(float) * wr);
    }
    if (in_step) {
        d->step_bytes += sizeof(float) * (uint64_t)(total - d->counts[d->rank]);
        d->step_calls++;
    }
}

nn2_status nn2_dist_agree(nn2_dist *d, nn2_status st, nn2_error *err)
{
    if (!d || d->size < 2) return st;
    int mine = st != NN2_OK ? d->rank : d->size, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == d->size) return NN2_OK;
    int code = st;
    char msg[sizeof err->msg];
    memset(msg, 0, sizeof msg);
    if (d->rank == first && err) snprintf(msg, sizeof msg, "%s", err->msg);
    MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
    MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, first, MPI_COMM_WORLD);
    if (d->rank == first) return st;
    msg[sizeof msg - 1] = '\0';
    return nn2_fail(err, (nn2_status)code, "rank %d: %s", first, msg);
}

int nn2_dist_any(nn2_dist *d, int flag)
{
    if (!d || d->size < 2) return flag != 0;
    int in = flag != 0, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

int nn2_dist_same(nn2_dist *d, uint64_t v)
{
    if (!d || d->size < 2) return 1;
    const uint64_t in[2] = {v, ~v}; /* min of v and of ~v: the smallest and the largest v */
    uint64_t out[2] = {0, 0};
    MPI_Allreduce(in, out, 2, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
    return out[0] == ~out[1];
}
