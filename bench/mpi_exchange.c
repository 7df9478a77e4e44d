/* mpi_exchange.c (nn2-mpi-exchange, built with -DNN2_MPI=ON): the time of nn2's per-step MPI
 * exchange alone (nn2_dist_gather_cols: pack, MPI_Allgatherv, unpack) for the activation blocks
 * of B1-B4, median over 21 rounds of many calls. Run under mpirun; rank 0 prints. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "dist.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    nn2_dist *d;
    nn2_error err;
    if (nn2_dist_init(&argc, &argv, &d, &err) != NN2_OK) {
        fprintf(stderr, "nn2-mpi-exchange: %s\n", err.msg);
        return 1;
    }
    static const struct { const char *name; int rows, units; } shapes[] = {
        {"B1", 10, 30}, {"B2", 10, 100}, {"B3", 100, 100}, {"B4", 128, 800}};
    enum { ROUNDS = 21 };
    if (d->rank == 0)
        printf("nn2-mpi-exchange: %d ranks; per exchange: bytes received by rank 0, median us\n", d->size);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int rows = shapes[s].rows, n = shapes[s].units, ld = (n + 15) / 16 * 16;
        float *buf = calloc((size_t)rows * ld, sizeof(float));
        if (!buf) MPI_Abort(MPI_COMM_WORLD, 1);
        const int calls = rows * n > 50000 ? 200 : 2000;
        double t[ROUNDS];
        const uint64_t b0 = d->step_bytes;
        for (int r = 0; r < ROUNDS; r++) {
            MPI_Barrier(MPI_COMM_WORLD);
            const double t0 = MPI_Wtime();
            for (int c = 0; c < calls; c++) nn2_dist_gather_cols(d, buf, rows, ld, n, 1);
            t[r] = (MPI_Wtime() - t0) / calls * 1e6;
        }
        qsort(t, ROUNDS, sizeof t[0], cmp_double);
        if (d->rank == 0)
            printf("%s %4d x %4d floats: %8llu bytes  %8.2f us  (%.2f GB/s)\n", shapes[s].name, rows, n,
                   (unsigned long long)((d->step_bytes - b0) / ((uint64_t)ROUNDS * calls)), t[ROUNDS / 2],
                   (double)(d->step_bytes - b0) / ((double)ROUNDS * calls) / (t[ROUNDS / 2] * 1e3));
        free(buf);
    }
    nn2_dist_finalize(d);
    return 0;
}
