/* cli_data.h: the data of `nn2 train` and `nn2 eval`: the four IDX files of --data (named with
 * --data-prefix), MNIST fetched when it is missing from the default directory, loaded and split
 * as the book splits it; and the set --set names. */
#ifndef NN2_CLI_DATA_H
#define NN2_CLI_DATA_H

#include "cli_args.h"
#include "dist.h"
#include "nn2.h"

/* 0, or the exit status after a message (on rank 0 of several). */
int cli_load_data(const cli_opts *o, nn2_mnist *m, nn2_dist *dist);
/* NULL for an empty validation set. */
const nn2_dataset *cli_pick_set(const nn2_mnist *m, cli_set s);

#endif
