/* cli_score.h: `nn2 eval` (a saved network scored on a labelled set, with --confusion its
 * confusion matrix) and `nn2 predict` (its answers for any images, as CSV). Each returns the
 * exit status. */
#ifndef NN2_CLI_SCORE_H
#define NN2_CLI_SCORE_H

#include "cli_args.h"

int cli_eval(const cli_opts *o);
int cli_predict(const cli_opts *o);

#endif
