/* cli_args.h: the nn2 command line, parsed into plain options (no I/O besides messages). */
#ifndef NN2_CLI_ARGS_H
#define NN2_CLI_ARGS_H

#include <stddef.h>
#include <stdio.h>

#include "nn2.h"

typedef enum { CMD_NONE, CMD_TRAIN, CMD_EVAL, CMD_PREDICT, CMD_INFO, CMD_HELP, CMD_VERSION } cli_cmd;
typedef enum { SET_TRAINING, SET_VALIDATION, SET_TEST } cli_set;

typedef struct cli_opts {
    cli_cmd cmd;
    int sizes[NN2_MAX_LAYERS + 1];
    int n_sizes;
    nn2_cost cost;
    nn2_init init;
    nn2_act hidden[NN2_MAX_LAYERS]; /* --activation: one for all hidden layers, or one each */
    int n_hidden;
    int output; /* --output; -1: softmax for log-likelihood, else sigmoid */
    double dropout[NN2_MAX_LAYERS];
    int n_dropout;
    int expand;
    nn2_config cfg;
    const char *data_dir;
    const char *data_prefix; /* --data-prefix: before each file's name in data_dir ("" none) */
    int fetch; /* -1 default (fetch only into the default directory), 0 never, 1 always */
    size_t train_size, validation_size;
    cli_set eval_set; /* train: the evaluation data; eval: the set to score */
    const char *save_path, *metrics_csv, *metrics_json, *model_path;
    const char *checkpoint, *resume;
    int checkpoint_every;
    int quiet;
    int confusion;                      /* eval --confusion */
    const char *images_path, *out_path; /* predict (and eval) --images, predict (and eval
                                           --confusion) --out */
    const char *labels_path;            /* eval --labels, with --images */
} cli_opts;

#define CLI_DEFAULT_DATA "data/mnist"

/* Returns 0 on success, 2 on a usage error (message already printed to stderr). */
int cli_parse(int argc, char **argv, cli_opts *o);
/* The network shape from --sizes, --activation, --output, --dropout, --cost: 0, or 2 with a
 * message. */
int cli_arch(const cli_opts *o, nn2_arch *a);
void cli_usage(FILE *out);
/* The files a train run writes: output i (0 <= i < CLI_N_OUTPUTS) is given by flag *flag, at
 * the returned path, or NULL when the flag was not given. */
#define CLI_N_OUTPUTS 4
const char *cli_output(const cli_opts *o, int i, const char **flag);

#endif
