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

/* The fetch script: NN2_FETCH_SCRIPT; else, for an installed nn2, share/nn2/fetch_mnist.sh
 * beside the binary's bin/; else scripts/fetch_mnist.sh in the source tree it was built from. */
static const char *fetch_script(char *buf, size_t cap)
{
    const char *env = getenv("NN2_FETCH_SCRIPT");
    if (env && *env) return env;
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if ((size_t)snprintf(buf, cap, "%s/%s/fetch_mnist.sh", exe, NN2_DATADIR_FROM_BIN) < cap &&
                access(buf, R_OK) == 0)
                return buf;
        }
    }
    snprintf(buf, cap, "%s/scripts/fetch_mnist.sh", NN2_SOURCE_DIR);
    return buf;
}

/* Run the fetch script on DIR. */
static int fetch_mnist(const char *dir)
{
    char buf[4096 + 64];
    const char *script = fetch_script(buf, sizeof buf);
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
