/* cli_data.c: finding, fetching and loading the data of nn2 train and nn2 eval (cli_data.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_data.h"

static int have_mnist(const char *dir, const char *prefix)
{
    static const char *const stems[] = {"train-images", "train-labels", "t10k-images",
                                        "t10k-labels"};
    char path[4096];
    for (int i = 0; i < 4; i++)
        if (nn2_idx_find(path, sizeof path, dir, prefix, stems[i], NULL) != NN2_OK) return 0;
    return 1;
}

/* Run scripts/fetch_mnist.sh DIR: next to the source tree this binary was built from, or
 * NN2_FETCH_SCRIPT. */
static int fetch_mnist(const char *dir)
{
    const char *script = getenv("NN2_FETCH_SCRIPT");
    char buf[4096];
    if (!script || !*script) {
        snprintf(buf, sizeof buf, "%s/scripts/fetch_mnist.sh", NN2_SOURCE_DIR);
        script = buf;
    }
    if (access(script, R_OK) != 0) {
        fprintf(stderr, "nn2: %s: MNIST is missing and the fetch script %s is not there\n", dir,
                script);
        return 1;
    }
    fprintf(stderr, "nn2: %s: MNIST not found, fetching it with %s\n", dir, script);
    const pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        execl("/bin/bash", "bash", script, dir, (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "nn2: %s: fetching MNIST failed\n", dir);
        return 1;
    }
    return 0;
}

/* With several ranks, rank 0 fetches, every rank reads the files (a shared filesystem), and
 * rank 0 reports the first rank's error. */
int cli_load_data(const cli_opts *o, nn2_mnist *m, nn2_dist *dist)
{
    const int want_fetch = !*o->data_prefix && (o->fetch == 1 || (o->fetch == -1 && !strcmp(o->data_dir, CLI_DEFAULT_DATA)));
    const int rank = nn2_dist_rank(dist);
    int failed = rank == 0 && !have_mnist(o->data_dir, o->data_prefix) && want_fetch && fetch_mnist(o->data_dir);
    if (nn2_dist_any(dist, failed)) return 1;
    nn2_error err;
    nn2_status st = nn2_idx_dataset_load(m, o->data_dir, o->data_prefix, o->train_size, o->validation_size, &err);
    const nn2_status own = st;
    st = nn2_dist_agree(dist, st, &err);
    if (st != NN2_OK) {
        if (own == NN2_OK) nn2_mnist_free(m);
        if (rank == 0) fprintf(stderr, "nn2: %s\n", err.msg);
        return st == NN2_ERR_ARG ? 2 : 1;
    }
    return 0;
}

const nn2_dataset *cli_pick_set(const nn2_mnist *m, cli_set s)
{
    switch (s) {
    case SET_TRAINING: return &m->training;
    case SET_VALIDATION: return m->validation.count ? &m->validation : NULL;
    case SET_TEST: return &m->test;
    }
    return NULL;
}
