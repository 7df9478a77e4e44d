/* dist_none.c: nn2 built without MPI: one process. Refuses to run as one of several processes
 * started by a launcher, which would otherwise train the same network side by side and race
 * for the same output files. */
#include <stdlib.h>

#include "common.h"
#include "dist.h"

static int launcher_size(const char **var)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE",
                                       "MPI_LOCALNRANKS", "SLURM_NTASKS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        const int n = v ? atoi(v) : 0;
        if (n > 1) {
            *var = vars[i];
            return n;
        }
    }
    return 1;
}

nn2_status nn2_dist_init(int *argc, char ***argv, nn2_dist **out, nn2_error *err)
{
    (void)argc;
    (void)argv;
    *out = NULL;
    const char *var = NULL;
    const int n = launcher_size(&var);
    if (n > 1)
        return nn2_fail(err, NN2_ERR_ARG, "this nn2 was built without MPI (cmake -DNN2_MPI=ON), "
                        "but %s says it is one of %d processes", var, n);
    nn2_dist *d = calloc(1, sizeof *d);
    if (!d) return nn2_fail(err, NN2_ERR_NOMEM, "out of memory");
    d->size = d->local_size = 1;
    *out = d;
    return NN2_OK;
}

void nn2_dist_finalize(nn2_dist *d) { free(d); }

void nn2_dist_gather_cols(nn2_dist *d, float *buf, int rows, int ld, int n, int in_step)
{
    (void)d, (void)buf, (void)rows, (void)ld, (void)n, (void)in_step; /* one rank owns it all */
}

nn2_status nn2_dist_agree(nn2_dist *d, nn2_status st, nn2_error *err)
{
    (void)d, (void)err;
    return st;
}

int nn2_dist_any(nn2_dist *d, int flag)
{
    (void)d;
    return flag != 0;
}

int nn2_dist_same(nn2_dist *d, uint64_t v)
{
    (void)d, (void)v;
    return 1;
}
