/* checkpoint.h: the complete training state in one file, for --checkpoint and --resume.
 * Binary, little-endian, versioned, with an FNV-1a 64 checksum of the payload; written
 * atomically. Loading validates every size against the file before allocating. */
#ifndef NN2_CHECKPOINT_H
#define NN2_CHECKPOINT_H

#include "net.h"

typedef struct nn2_ckpt {
    /* the configuration that determines the maths */
    nn2_arch arch;
    int batch_size, reg, nesterov, schedule, step_epochs, patience, early_stop, expand;
    double eta0, lambda, momentum, step_gamma;
    uint64_t seed, n_train, data_hash;
    /* where training stands: epoch in progress and its next mini-batch; the shuffling
     * generator's state at the start of that epoch (after `epoch` shuffles) */
    int epoch;
    uint64_t batch;
    uint64_t rng[4];
    nn2_sched_state sched;
    /* the trainer's lazy-decay scale of the first layer's weights (params holds them divided
     * by it; 1 at the end of an epoch) */
    double wscale;
    /* arenas of n_params floats: parameters, velocities and best weights (optional) */
    size_t n_params;
    float *params, *vel, *best;
    /* the metrics of the epochs done */
    int n_hist;
    nn2_epoch_stats *hist;
} nn2_ckpt;

/* A fingerprint of a training set (count, shape, expansion, labels). */
uint64_t nn2_data_hash(const nn2_dataset *d);
/* Serialize and write atomically. */
nn2_status nn2_ckpt_save(const char *path, const nn2_ckpt *c, nn2_error *err);
/* Parse a checkpoint held in memory (what the fuzzer drives); on success c owns its arrays. */
nn2_status nn2_ckpt_parse(const uint8_t *buf, size_t len, const char *name, nn2_ckpt *c,
                          nn2_error *err);
nn2_status nn2_ckpt_load(const char *path, nn2_ckpt *c, nn2_error *err);
void nn2_ckpt_free(nn2_ckpt *c);
/* Fill the configuration fields from a run about to start. */
void nn2_ckpt_describe(nn2_ckpt *c, const nn2_net *net, const nn2_config *cfg,
                       const nn2_dataset *train);
/* Compare a checkpoint's configuration with the run's: NN2_ERR_ARG naming the first field
 * that changes the maths. */
nn2_status nn2_ckpt_compatible(const nn2_ckpt *saved, const nn2_ckpt *now, const char *path,
                               nn2_error *err);

#endif
