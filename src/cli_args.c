/* cli_args.c: getopt_long parsing of `nn2 train|eval|predict|info`, strict number parsing, and --help. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "fileio.h"

void cli_usage(FILE *out)
{
    fprintf(out,
            "usage: nn2 train [options]      train (default: the book's chapter-3 run on MNIST)\n"
            "       nn2 eval --model FILE [--confusion]  accuracy and cost of a saved network\n"
            "                                (on --set of --data, or on --images and --labels)\n"
            "       nn2 predict --model FILE --images FILE [--out FILE]  its answer for each\n"
            "                                image of an IDX file, as CSV\n"
            "       nn2 info [--threads N] [--bind P]  kernels, topology and placement plan\n"
            "                                (HWLOC_SYNTHETIC=\"...\" plans for a synthetic topology)\n"
            "       nn2 --help | --version\n"
            "\n"
            "network and training:\n"
            "  --sizes LIST          layer sizes, comma-separated        [784,30,10]\n"
            "  --activation LIST     hidden layers: sigmoid | tanh | relu, one for all or one\n"
            "                        per hidden layer                    [sigmoid]\n"
            "  --output NAME         sigmoid | softmax   [softmax for log-likelihood, else sigmoid]\n"
            "  --cost NAME           cross-entropy | quadratic | log-likelihood [cross-entropy]\n"
            "  --init NAME           default (N(0,1/n_in) weights, N(0,1) biases) | large (N(0,1))\n"
            "                        | xavier (N(0,2/(n_in+n_out)), 0) | he (N(0,2/n_in), 0) [default]\n"
            "  --dropout LIST        dropout rate of the hidden layers, one or one each [0]\n"
            "  --epochs N            epochs                              [30]\n"
            "  --batch-size N        mini-batch size (alias --mini-batch-size) [10]\n"
            "  --eta X, --lr X       learning rate                       [0.5]\n"
            "  --lambda X            regularization parameter            [5.0]\n"
            "  --reg NAME            l2 | l1                             [l2]\n"
            "  --momentum MU         momentum coefficient, 0 = plain SGD [0]\n"
            "  --nesterov            Nesterov momentum\n"
            "  --schedule NAME       constant | step | plateau           [constant]\n"
            "  --lr-step N, --lr-gamma G   step: eta *= G every N epochs [10, 0.5]\n"
            "  --plateau N           plateau: halve eta after N epochs without a better\n"
            "                        validation accuracy, stop below eta/128 [10]\n"
            "  --early-stop N        stop after N epochs without a better validation accuracy,\n"
            "                        keep the best weights               [off]\n"
            "  --expand              train on the book's expanded set (5x, one-pixel shifts)\n"
            "  --seed N              seed of initialization and shuffling [1]\n"
            "  --threads N           OpenMP threads; 0 = OMP_NUM_THREADS or all cores [0]\n"
            "  --bind NAME           thread placement: compact | spread | none  [compact]\n"
            "data:\n"
            "  --data DIR            directory of the IDX files          [" CLI_DEFAULT_DATA "]\n"
            "  --data-prefix P       file names in DIR start with P, \"test\" or \"t10k\" alike\n"
            "                        (EMNIST: emnist-letters-)           [none]\n"
            "  --fetch / --no-fetch  download MNIST into DIR if absent   [only for the default DIR]\n"
            "  --train-size N        first N training-file images [all but the validation set: 50000]\n"
            "  --validation-size N   last N training-file images          [10000]\n"
            "  --eval-set NAME       evaluation data for train: validation | test | training\n"
            "                        [validation]; for eval: the set to score [test]\n"
            "monitoring and output:\n"
            "  --monitor-evaluation-accuracy / --no-monitor-evaluation-accuracy   [on]\n"
            "  --monitor-evaluation-cost, --monitor-training-cost,\n"
            "  --monitor-training-accuracy                                        [off]\n"
            "  --save FILE           save the trained network (network2.py JSON)\n"
            "  --metrics FILE        CSV, one row per epoch\n"
            "  --metrics-json FILE   network2's [evaluation_cost, evaluation_accuracy,\n"
            "                        training_cost, training_accuracy] lists\n"
            "  --model FILE          (eval, predict) the saved network\n"
            "  --confusion           (eval) also the confusion matrix, recall and precision\n"
            "                        (with --out FILE, the matrix as CSV there too)\n"
            "  --images FILE         (predict, eval) IDX image file, raw or .gz\n"
            "  --labels FILE         (eval, with --images) its IDX label file\n"
            "  --out FILE            (predict) write the CSV there (atomically) [stdout];\n"
            "                        (eval --confusion) the matrix's CSV\n"
            "  --checkpoint FILE     write the complete training state there (atomically)\n"
            "  --checkpoint-every N  every N epochs and at the end (0: never); always on\n"
            "                        SIGINT/SIGTERM                               [1]\n"
            "  --resume FILE         continue from a checkpoint (same settings; the result is\n"
            "                        the same bits as an uninterrupted run)\n"
            "  --quiet               no per-epoch lines\n"
            "environment: NN2_ISA=scalar|avx2|avx512 forces a kernel set; NN2_SPARSE=0 runs the first\n"
            "layer over every input (the same results); OMP_NUM_THREADS.\n"
            "exit status: 0 ok, 1 data or runtime error, 2 usage error, 3 training diverged.\n");
}

static int bad(const char *flag, const char *val, const char *why)
{
    fprintf(stderr, "nn2: %s%s%s: %s (see nn2 --help)\n", flag, val ? " " : "", val ? val : "", why);
    return 2;
}

static int parse_long(const char *flag, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (errno || end == s || *end) return bad(flag, s, "not an integer");
    if (v < lo || v > hi) {
        char why[96];
        snprintf(why, sizeof why, "out of range %ld..%ld", lo, hi);
        return bad(flag, s, why);
    }
    *out = v;
    return 0;
}

static int parse_double(const char *flag, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) return bad(flag, s, "not a finite number");
    if (v < lo || v > hi) {
        char why[96];
        snprintf(why, sizeof why, "out of range %g..%g", lo, hi);
        return bad(flag, s, why);
    }
    *out = v;
    return 0;
}

/* A comma-separated list copied into buf (cap bytes) for strtok, which would skip an empty
 * entry: "784,,10" or a comma at either end is refused, not read as a shorter list. */
static int list_copy(const char *flag, const char *s, char *buf, size_t cap)
{
    const size_t n = strlen(s);
    if (n >= cap) return bad(flag, s, "too long");
    if (n && (s[0] == ',' || s[n - 1] == ',' || strstr(s, ",,"))) return bad(flag, s, "an empty entry in the list");
    memcpy(buf, s, n + 1);
    return 0;
}

/* Comma-separated list of names or numbers, each handled by one(token, index) -> 0 or 2. */
static int parse_list(const char *flag, const char *s, int max, int (*one)(const char *, const char *, int, cli_opts *),
                      cli_opts *o, int *count)
{
    char buf[512];
    if (list_copy(flag, s, buf, sizeof buf)) return 2;
    *count = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (*count == max) return bad(flag, s, "too many entries");
        if (one(flag, tok, (*count)++, o)) return 2;
    }
    if (*count == 0) return bad(flag, s, "empty list");
    return 0;
}

static int one_act(const char *flag, const char *t, int i, cli_opts *o)
{
    if (!strcmp(t, "sigmoid")) o->hidden[i] = NN2_ACT_SIGMOID;
    else if (!strcmp(t, "tanh")) o->hidden[i] = NN2_ACT_TANH;
    else if (!strcmp(t, "relu")) o->hidden[i] = NN2_ACT_RELU;
    else return bad(flag, t, "expected sigmoid, tanh or relu");
    return 0;
}

static int one_dropout(const char *flag, const char *t, int i, cli_opts *o)
{
    double d;
    if (parse_double(flag, t, 0.0, 0.99, &d)) return 2;
    o->dropout[i] = d;
    return 0;
}

int cli_arch(const cli_opts *o, nn2_arch *a)
{
    nn2_arch_sigmoid(a, o->sizes, o->n_sizes, o->cost);
    const int hidden = o->n_sizes - 2;
    if (o->n_hidden != 1 && o->n_hidden != hidden && !(hidden == 0 && o->n_hidden <= 1))
        return bad("--activation", NULL, "give one activation, or one per hidden layer");
    if (o->n_dropout > 1 && o->n_dropout != hidden)
        return bad("--dropout", NULL, "give one rate, or one per hidden layer");
    if (hidden == 0 && o->n_dropout == 1 && o->dropout[0] > 0.0) /* it would drop nothing */
        return bad("--dropout", NULL, "the network has no hidden layer (--sizes)");
    for (int l = 0; l < hidden; l++) {
        a->act[l] = o->hidden[o->n_hidden == 1 ? 0 : l];
        a->dropout[l] = o->n_dropout ? o->dropout[o->n_dropout == 1 ? 0 : l] : 0.0;
    }
    a->act[o->n_sizes - 2] = o->output >= 0 ? (nn2_act)o->output
                             : o->cost == NN2_COST_LOG_LIKELIHOOD ? NN2_ACT_SOFTMAX : NN2_ACT_SIGMOID;
    nn2_error err;
    if (nn2_arch_check(a, &err) != NN2_OK) {
        fprintf(stderr, "nn2: %s (see nn2 --help)\n", err.msg);
        return 2;
    }
    return 0;
}

static int parse_sizes(const char *s, cli_opts *o)
{
    char buf[512];
    if (list_copy("--sizes", s, buf, sizeof buf)) return 2;
    o->n_sizes = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (o->n_sizes == NN2_MAX_LAYERS + 1) return bad("--sizes", s, "too many layers");
        long v;
        if (parse_long("--sizes", tok, 1, 1 << 20, &v)) return 2;
        o->sizes[o->n_sizes++] = (int)v;
    }
    if (o->n_sizes < 2) return bad("--sizes", s, "need at least an input and an output layer");
    return 0;
}

enum {
    O_SIZES = 256, O_COST, O_INIT, O_EPOCHS, O_BATCH, O_ETA, O_LAMBDA, O_SEED, O_THREADS, O_DATA,
    O_FETCH, O_NOFETCH, O_TRAIN_SIZE, O_VALID_SIZE, O_EVAL_SET, O_MEA, O_NO_MEA, O_MEC, O_MTC,
    O_MTA, O_SAVE, O_METRICS, O_METRICS_JSON, O_MODEL, O_QUIET, O_HELP, O_VERSION, O_ACT,
    O_OUTPUT, O_DROPOUT, O_REG, O_MOMENTUM, O_NESTEROV, O_SCHEDULE, O_LR_STEP, O_LR_GAMMA,
    O_PLATEAU, O_EARLY, O_EXPAND, O_CKPT, O_CKPT_EVERY, O_RESUME, O_BIND, O_CONFUSION, O_IMAGES,
    O_OUT, O_LABELS, O_DATA_PREFIX
};

static const struct option long_opts[] = {
    {"sizes", required_argument, 0, O_SIZES},
    {"cost", required_argument, 0, O_COST},
    {"init", required_argument, 0, O_INIT},
    {"epochs", required_argument, 0, O_EPOCHS},
    {"batch-size", required_argument, 0, O_BATCH},
    {"mini-batch-size", required_argument, 0, O_BATCH},
    {"eta", required_argument, 0, O_ETA},
    {"lr", required_argument, 0, O_ETA},
    {"lambda", required_argument, 0, O_LAMBDA},
    {"seed", required_argument, 0, O_SEED},
    {"threads", required_argument, 0, O_THREADS},
    {"data", required_argument, 0, O_DATA},
    {"fetch", no_argument, 0, O_FETCH},
    {"no-fetch", no_argument, 0, O_NOFETCH},
    {"train-size", required_argument, 0, O_TRAIN_SIZE},
    {"validation-size", required_argument, 0, O_VALID_SIZE},
    {"eval-set", required_argument, 0, O_EVAL_SET},
    {"set", required_argument, 0, O_EVAL_SET},
    {"monitor-evaluation-accuracy", no_argument, 0, O_MEA},
    {"no-monitor-evaluation-accuracy", no_argument, 0, O_NO_MEA},
    {"monitor-evaluation-cost", no_argument, 0, O_MEC},
    {"monitor-training-cost", no_argument, 0, O_MTC},
    {"monitor-training-accuracy", no_argument, 0, O_MTA},
    {"save", required_argument, 0, O_SAVE},
    {"metrics", required_argument, 0, O_METRICS},
    {"metrics-json", required_argument, 0, O_METRICS_JSON},
    {"model", required_argument, 0, O_MODEL},
    {"quiet", no_argument, 0, O_QUIET},
    {"activation", required_argument, 0, O_ACT},
    {"output", required_argument, 0, O_OUTPUT},
    {"dropout", required_argument, 0, O_DROPOUT},
    {"reg", required_argument, 0, O_REG},
    {"momentum", required_argument, 0, O_MOMENTUM},
    {"nesterov", no_argument, 0, O_NESTEROV},
    {"schedule", required_argument, 0, O_SCHEDULE},
    {"lr-step", required_argument, 0, O_LR_STEP},
    {"lr-gamma", required_argument, 0, O_LR_GAMMA},
    {"plateau", required_argument, 0, O_PLATEAU},
    {"early-stop", required_argument, 0, O_EARLY},
    {"expand", no_argument, 0, O_EXPAND},
    {"checkpoint", required_argument, 0, O_CKPT},
    {"checkpoint-every", required_argument, 0, O_CKPT_EVERY},
    {"resume", required_argument, 0, O_RESUME},
    {"bind", required_argument, 0, O_BIND},
    {"confusion", no_argument, 0, O_CONFUSION},
    {"images", required_argument, 0, O_IMAGES},
    {"out", required_argument, 0, O_OUT},
    {"labels", required_argument, 0, O_LABELS},
    {"data-prefix", required_argument, 0, O_DATA_PREFIX},
    {"help", no_argument, 0, O_HELP},
    {"version", no_argument, 0, O_VERSION},
    {0, 0, 0, 0},
};

int cli_parse(int argc, char **argv, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    const int def_sizes[] = {784, 30, 10};
    memcpy(o->sizes, def_sizes, sizeof def_sizes);
    o->n_sizes = 3;
    o->cost = NN2_COST_CROSS_ENTROPY;
    o->init = NN2_INIT_DEFAULT;
    o->hidden[0] = NN2_ACT_SIGMOID;
    o->n_hidden = 1;
    o->output = -1;
    o->checkpoint_every = 1;
    nn2_config_default(&o->cfg);
    o->data_dir = CLI_DEFAULT_DATA;
    o->data_prefix = "";
    o->fetch = -1;
    o->train_size = 0; /* all images of the training file before the validation set */
    o->validation_size = 10000;
    int set_given = 0;

    int first = 1;
    if (argc >= 2 && argv[1][0] != '-') {
        const char *c = argv[1];
        if (!strcmp(c, "train")) o->cmd = CMD_TRAIN;
        else if (!strcmp(c, "eval")) o->cmd = CMD_EVAL;
        else if (!strcmp(c, "predict")) o->cmd = CMD_PREDICT;
        else if (!strcmp(c, "info")) o->cmd = CMD_INFO;
        else if (!strcmp(c, "help")) o->cmd = CMD_HELP;
        else {
            fprintf(stderr, "nn2: unknown command '%s' (train, eval, predict, info; see nn2 --help)\n", c);
            return 2;
        }
        first = 2;
    }
    optind = first;
    opterr = 0;
    int c;
    long v;
    double d;
    int li = -1;
    char flagbuf[64];
    while ((c = getopt_long(argc, argv, ":", long_opts, &li)) != -1) {
        const char *a = optarg;
        /* the flag as the user spelled it (--lr, not --eta), for messages */
        snprintf(flagbuf, sizeof flagbuf, "--%s", li >= 0 ? long_opts[li].name : "?");
        const char *flag = flagbuf;
        li = -1;
        const int takes_path = c == O_DATA || c == O_SAVE || c == O_METRICS || c == O_METRICS_JSON ||
                               c == O_MODEL || c == O_CKPT || c == O_RESUME || c == O_IMAGES ||
                               c == O_OUT || c == O_LABELS;
        if (takes_path && !*a) return bad(flag, "\"\"", "an empty path");
        switch (c) {
        case O_SIZES: if (parse_sizes(a, o)) return 2; break;
        case O_COST:
            if (!strcmp(a, "cross-entropy") || !strcmp(a, "CrossEntropyCost"))
                o->cost = NN2_COST_CROSS_ENTROPY;
            else if (!strcmp(a, "quadratic") || !strcmp(a, "QuadraticCost"))
                o->cost = NN2_COST_QUADRATIC;
            else if (!strcmp(a, "log-likelihood") || !strcmp(a, "LogLikelihoodCost"))
                o->cost = NN2_COST_LOG_LIKELIHOOD;
            else return bad(flag, a, "expected cross-entropy, quadratic or log-likelihood");
            break;
        case O_INIT:
            if (!strcmp(a, "default")) o->init = NN2_INIT_DEFAULT;
            else if (!strcmp(a, "large")) o->init = NN2_INIT_LARGE;
            else if (!strcmp(a, "xavier") || !strcmp(a, "glorot")) o->init = NN2_INIT_XAVIER;
            else if (!strcmp(a, "he")) o->init = NN2_INIT_HE;
            else return bad(flag, a, "expected default, large, xavier or he");
            break;
        case O_EPOCHS: if (parse_long(flag, a, 0, 1000000, &v)) return 2; o->cfg.epochs = (int)v; break;
        case O_BATCH: if (parse_long(flag, a, 1, 1 << 20, &v)) return 2; o->cfg.batch_size = (int)v; break;
        case O_ETA: if (parse_double(flag, a, 1e-12, 1e6, &d)) return 2; o->cfg.eta = d; break;
        case O_LAMBDA: if (parse_double(flag, a, 0, 1e9, &d)) return 2; o->cfg.lambda = d; break;
        case O_SEED: {
            char *end;
            errno = 0;
            const unsigned long long s = strtoull(a, &end, 10);
            if (errno || end == a || *end || a[0] == '-') return bad(flag, a, "not a non-negative integer");
            o->cfg.seed = s;
            break;
        }
        case O_THREADS: if (parse_long(flag, a, 0, 4096, &v)) return 2; o->cfg.threads = (int)v; break;
        case O_DATA: o->data_dir = a; break;
        case O_FETCH: o->fetch = 1; break;
        case O_NOFETCH: o->fetch = 0; break;
        case O_TRAIN_SIZE: if (parse_long(flag, a, 1, 1L << 31, &v)) return 2; o->train_size = (size_t)v; break;
        case O_VALID_SIZE: if (parse_long(flag, a, 0, 1L << 31, &v)) return 2; o->validation_size = (size_t)v; break;
        case O_EVAL_SET:
            set_given = 1;
            if (!strcmp(a, "validation")) o->eval_set = SET_VALIDATION;
            else if (!strcmp(a, "test")) o->eval_set = SET_TEST;
            else if (!strcmp(a, "training")) o->eval_set = SET_TRAINING;
            else return bad(flag, a, "expected validation, test or training");
            break;
        case O_MEA: o->cfg.monitor_eval_accuracy = 1; break;
        case O_NO_MEA: o->cfg.monitor_eval_accuracy = 0; break;
        case O_MEC: o->cfg.monitor_eval_cost = 1; break;
        case O_MTC: o->cfg.monitor_train_cost = 1; break;
        case O_MTA: o->cfg.monitor_train_accuracy = 1; break;
        case O_SAVE: o->save_path = a; break;
        case O_METRICS: o->metrics_csv = a; break;
        case O_METRICS_JSON: o->metrics_json = a; break;
        case O_MODEL: o->model_path = a; break;
        case O_QUIET: o->quiet = 1; break;
        case O_ACT: if (parse_list(flag, a, NN2_MAX_LAYERS, one_act, o, &o->n_hidden)) return 2; break;
        case O_OUTPUT:
            if (!strcmp(a, "sigmoid")) o->output = NN2_ACT_SIGMOID;
            else if (!strcmp(a, "softmax")) o->output = NN2_ACT_SOFTMAX;
            else return bad(flag, a, "expected sigmoid or softmax");
            break;
        case O_DROPOUT: if (parse_list(flag, a, NN2_MAX_LAYERS, one_dropout, o, &o->n_dropout)) return 2; break;
        case O_REG:
            if (!strcmp(a, "l2") || !strcmp(a, "L2")) o->cfg.reg = NN2_REG_L2;
            else if (!strcmp(a, "l1") || !strcmp(a, "L1")) o->cfg.reg = NN2_REG_L1;
            else return bad(flag, a, "expected l1 or l2");
            break;
        case O_MOMENTUM: if (parse_double(flag, a, 0.0, 0.999, &d)) return 2; o->cfg.momentum = d; break;
        case O_NESTEROV: o->cfg.nesterov = 1; break;
        case O_SCHEDULE:
            if (!strcmp(a, "constant")) o->cfg.schedule = NN2_SCHED_CONSTANT;
            else if (!strcmp(a, "step")) o->cfg.schedule = NN2_SCHED_STEP;
            else if (!strcmp(a, "plateau")) o->cfg.schedule = NN2_SCHED_PLATEAU;
            else return bad(flag, a, "expected constant, step or plateau");
            break;
        case O_LR_STEP: if (parse_long(flag, a, 1, 1000000, &v)) return 2; o->cfg.step_epochs = (int)v; break;
        case O_LR_GAMMA: if (parse_double(flag, a, 1e-6, 1.0, &d)) return 2; o->cfg.step_gamma = d; break;
        case O_PLATEAU: if (parse_long(flag, a, 1, 1000000, &v)) return 2; o->cfg.patience = (int)v; break;
        case O_EARLY: if (parse_long(flag, a, 1, 1000000, &v)) return 2; o->cfg.early_stop = (int)v; break;
        case O_EXPAND: o->expand = 1; break;
        case O_CKPT: o->checkpoint = a; break;
        case O_CKPT_EVERY: if (parse_long(flag, a, 0, 1000000, &v)) return 2; o->checkpoint_every = (int)v; break;
        case O_RESUME: o->resume = a; break;
        case O_BIND:
            if (!strcmp(a, "compact")) o->cfg.bind = NN2_BIND_COMPACT;
            else if (!strcmp(a, "spread")) o->cfg.bind = NN2_BIND_SPREAD;
            else if (!strcmp(a, "none")) o->cfg.bind = NN2_BIND_NONE;
            else return bad(flag, a, "expected compact, spread or none");
            break;
        case O_CONFUSION: o->confusion = 1; break;
        case O_IMAGES: o->images_path = a; break;
        case O_OUT: o->out_path = a; break;
        case O_LABELS: o->labels_path = a; break;
        case O_DATA_PREFIX:
            if (strchr(a, '/')) return bad(flag, a, "a prefix of file names, without '/' (the directory is --data)");
            o->data_prefix = a;
            break;
        case O_HELP: o->cmd = CMD_HELP; return 0;
        case O_VERSION: o->cmd = CMD_VERSION; return 0;
        case ':': return bad(argv[optind - 1], NULL, "needs a value");
        default: return bad(argv[optind - 1], NULL, "unknown option");
        }
    }
    if (optind < argc) return bad(argv[optind], NULL, "unexpected argument");
    if (o->cmd == CMD_NONE) {
        fprintf(stderr, "nn2: no command given (train, eval, predict, info; see nn2 --help)\n");
        return 2;
    }
    if (!set_given) o->eval_set = o->cmd == CMD_EVAL ? SET_TEST : SET_VALIDATION;
    if (o->cfg.nesterov && o->cfg.momentum == 0.0) return bad("--nesterov", NULL, "needs --momentum MU > 0");
    if (o->cmd == CMD_EVAL && !o->model_path) return bad("--model", NULL, "eval needs --model FILE");
    if (o->confusion && o->cmd != CMD_EVAL) return bad("--confusion", NULL, "only for nn2 eval");
    if (o->images_path && o->cmd != CMD_PREDICT && o->cmd != CMD_EVAL)
        return bad("--images", o->images_path, "only for nn2 predict and nn2 eval");
    if (o->labels_path && (o->cmd != CMD_EVAL || !o->images_path))
        return bad("--labels", o->labels_path, "only for nn2 eval, with --images");
    if (o->cmd == CMD_EVAL && o->images_path && !o->labels_path)
        return bad("--images", o->images_path, "nn2 eval needs --labels FILE with it");
    if (*o->data_prefix && o->fetch == 1) return bad("--fetch", NULL, "fetches MNIST, whose files have no --data-prefix");
    if (*o->data_prefix && o->cmd != CMD_TRAIN && o->cmd != CMD_EVAL)
        return bad("--data-prefix", o->data_prefix, "only for nn2 train and nn2 eval");
    if (o->cmd == CMD_EVAL && o->images_path && set_given)
        return bad("--set", NULL, "not with --images (the files are the set)");
    if (o->out_path && o->cmd != CMD_PREDICT && !(o->cmd == CMD_EVAL && o->confusion))
        return bad("--out", o->out_path, "only for nn2 predict and nn2 eval --confusion");
    if (o->cmd == CMD_PREDICT && !o->model_path) return bad("--model", NULL, "predict needs --model FILE");
    if (o->cmd == CMD_PREDICT && !o->images_path) return bad("--images", NULL, "predict needs --images FILE");
    static const char *const inputs[] = {"--model", "--images", "--labels"};
    const char *const in_paths[] = {o->model_path, o->images_path, o->labels_path};
    for (int i = 0; o->out_path && i < 3; i++) {
        if (in_paths[i] && nn2_same_file(o->out_path, in_paths[i])) {
            fprintf(stderr, "nn2: --out %s: the same file as %s\n", o->out_path, inputs[i]);
            return 2;
        }
    }
    if (o->cmd == CMD_TRAIN && o->eval_set == SET_VALIDATION && o->validation_size == 0 &&
        (o->cfg.monitor_eval_accuracy || o->cfg.monitor_eval_cost))
        return bad("--validation-size", "0", "nothing to evaluate on (use --no-monitor-evaluation-accuracy)");
    /* Two outputs on one path would overwrite each other (--resume may name --checkpoint's). */
    for (int i = 0; i < CLI_N_OUTPUTS; i++)
        for (int j = 0; j < i; j++) {
            const char *fi, *fj, *pi = cli_output(o, i, &fi), *pj = cli_output(o, j, &fj);
            if (pi && pj && nn2_same_file(pi, pj)) {
                fprintf(stderr, "nn2: %s %s: the same file as %s\n", fi, pi, fj);
                return 2;
            }
        }
    return 0;
}

const char *cli_output(const cli_opts *o, int i, const char **flag)
{
    static const char *const flags[CLI_N_OUTPUTS] = {"--save", "--metrics", "--metrics-json", "--checkpoint"};
    const char *const paths[CLI_N_OUTPUTS] = {o->save_path, o->metrics_csv, o->metrics_json, o->checkpoint};
    *flag = flags[i];
    return paths[i];
}
