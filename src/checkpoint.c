/* checkpoint.c: serialization of the training state.
 * Layout: "NN2CKPT\0", u32 version, u32 reserved, u64 payload length, u64 FNV-1a 64 of the
 * payload, then the payload: configuration, progress, schedule, arenas, metrics, each field
 * little-endian at its natural width. */
#include <math.h>
#include <string.h>

#include "checkpoint.h"
#include "fileio.h"

#define CKPT_MAGIC "NN2CKPT"
#define CKPT_VERSION 2u /* 2: + the first layer's weight scale (version 1: 1) */
#define CKPT_HEADER 32
#define CKPT_MAX_BYTES ((size_t)16 << 30)
#define CKPT_MAX_HIST 10000000

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

uint64_t nn2_data_hash(const nn2_dataset *d)
{
    uint64_t h = fnv1a(d->labels, d->expand ? d->count / 5 : d->count);
    const uint64_t shape[4] = {d->count, (uint64_t)d->dim, (uint64_t)d->expand, (uint64_t)d->n_classes};
    return h ^ fnv1a((const uint8_t *)shape, sizeof shape);
}

/* ---- writer: a growing buffer */
typedef struct {
    uint8_t *p;
    size_t n, cap;
    int oom;
} wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
    if (w->oom) return;
    if (w->n + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->n + n) cap *= 2;
        uint8_t *q = realloc(w->p, cap);
        if (!q) {
            w->oom = 1;
            return;
        }
        w->p = q;
        w->cap = cap;
    }
    memcpy(w->p + w->n, src, n);
    w->n += n;
}
static void put_u64(wbuf *w, uint64_t v) { put(w, &v, 8); }
static void put_i32(wbuf *w, int32_t v) { put(w, &v, 4); }
static void put_f64(wbuf *w, double v) { put(w, &v, 8); }

/* ---- reader: every read is bounds-checked */
typedef struct {
    const uint8_t *p;
    size_t n, at;
    int bad;
} rbuf;

static void get(rbuf *r, void *dst, size_t n)
{
    if (r->bad || n > r->n - r->at) {
        r->bad = 1;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p + r->at, n);
    r->at += n;
}
static uint64_t get_u64(rbuf *r)
{
    uint64_t v;
    get(r, &v, 8);
    return v;
}
static int32_t get_i32(rbuf *r)
{
    int32_t v;
    get(r, &v, 4);
    return v;
}
static double get_f64(rbuf *r)
{
    double v;
    get(r, &v, 8);
    return v;
}

static void put_arena(wbuf *w, const float *a, size_t n)
{
    put_i32(w, a != NULL);
    if (a) put(w, a, n * sizeof(float));
}

static float *get_arena(rbuf *r, size_t n, int *ok)
{
    const int32_t present = get_i32(r);
    if (present != 0 && present != 1) *ok = 0;
    if (present != 1 || r->bad || n > (r->n - r->at) / sizeof(float)) {
        if (present == 1) *ok = 0;
        return NULL;
    }
    float *a = nn2_alloc(n, sizeof(float));
    if (!a) {
        *ok = 0;
        return NULL;
    }
    get(r, a, n * sizeof(float));
    return a;
}

static void put_stats(wbuf *w, const nn2_epoch_stats *s)
{
    put_i32(w, s->epoch);
    put_f64(w, s->seconds);
    put_f64(w, s->eta);
    put_f64(w, s->eval_cost);
    put_f64(w, s->train_cost);
    put_u64(w, (uint64_t)s->eval_correct);
    put_u64(w, (uint64_t)s->train_correct);
    put_u64(w, s->eval_count);
    put_u64(w, s->train_count);
    put_f64(w, s->next_eta);
    put_i32(w, s->best_epoch);
    put_i32(w, s->stopped);
    put_i32(w, s->threads);
}
#define STATS_BYTES (4 + 8 * 4 + 8 * 4 + 8 + 4 * 3)

static void get_stats(rbuf *r, nn2_epoch_stats *s)
{
    s->epoch = get_i32(r);
    s->seconds = get_f64(r);
    s->eta = get_f64(r);
    s->eval_cost = get_f64(r);
    s->train_cost = get_f64(r);
    s->eval_correct = (long)get_u64(r);
    s->train_correct = (long)get_u64(r);
    s->eval_count = get_u64(r);
    s->train_count = get_u64(r);
    s->next_eta = get_f64(r);
    s->best_epoch = get_i32(r);
    s->stopped = get_i32(r);
    s->threads = get_i32(r);
}

nn2_status nn2_ckpt_save(const char *path, const nn2_ckpt *c, nn2_error *err)
{
    wbuf w = {0};
    uint8_t header[CKPT_HEADER] = {0};
    put(&w, header, CKPT_HEADER);
    const nn2_arch *a = &c->arch;
    put_i32(&w, a->n_sizes);
    for (int i = 0; i < a->n_sizes; i++) put_i32(&w, a->sizes[i]);
    for (int l = 0; l + 1 < a->n_sizes; l++) {
        put_i32(&w, (int32_t)a->act[l]);
        put_f64(&w, a->dropout[l]);
    }
    put_i32(&w, (int32_t)a->cost);
    const int32_t ints[8] = {c->batch_size, c->reg, c->nesterov, c->schedule, c->step_epochs,
                             c->patience, c->early_stop, c->expand};
    for (int i = 0; i < 8; i++) put_i32(&w, ints[i]);
    put_f64(&w, c->eta0);
    put_f64(&w, c->lambda);
    put_f64(&w, c->momentum);
    put_f64(&w, c->step_gamma);
    put_u64(&w, c->seed);
    put_u64(&w, c->n_train);
    put_u64(&w, c->data_hash);
    put_i32(&w, c->epoch);
    put_u64(&w, c->batch);
    for (int i = 0; i < 4; i++) put_u64(&w, c->rng[i]);
    put_f64(&w, c->sched.eta);
    put_f64(&w, c->sched.eta0);
    put_u64(&w, (uint64_t)c->sched.best);
    put_i32(&w, c->sched.best_epoch);
    put_i32(&w, c->sched.since_best);
    put_i32(&w, c->sched.since_change);
    put_f64(&w, c->wscale);
    put_u64(&w, c->n_params);
    put_arena(&w, c->params, c->n_params);
    put_arena(&w, c->vel, c->n_params);
    put_arena(&w, c->best, c->n_params);
    put_i32(&w, c->n_hist);
    for (int i = 0; i < c->n_hist; i++) put_stats(&w, &c->hist[i]);
    if (w.oom) {
        free(w.p);
        return nn2_fail(err, NN2_ERR_NOMEM, "%s: out of memory while encoding", path);
    }
    const uint64_t len = w.n - CKPT_HEADER, sum = fnv1a(w.p + CKPT_HEADER, (size_t)len);
    const uint32_t ver = CKPT_VERSION;
    memcpy(w.p, CKPT_MAGIC, 8);
    memcpy(w.p + 8, &ver, 4);
    memcpy(w.p + 16, &len, 8);
    memcpy(w.p + 24, &sum, 8);
    const nn2_status st = nn2_write_atomic(path, w.p, w.n, err);
    free(w.p);
    return st;
}

void nn2_ckpt_free(nn2_ckpt *c)
{
    nn2_free(c->params);
    nn2_free(c->vel);
    nn2_free(c->best);
    free(c->hist);
    memset(c, 0, sizeof *c);
}

nn2_status nn2_ckpt_parse(const uint8_t *buf, size_t len, const char *name, nn2_ckpt *c,
                          nn2_error *err)
{
    memset(c, 0, sizeof *c);
    if (len < CKPT_HEADER || memcmp(buf, CKPT_MAGIC, 8) != 0)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: not an nn2 checkpoint", name);
    uint32_t ver;
    uint64_t plen, sum;
    memcpy(&ver, buf + 8, 4);
    memcpy(&plen, buf + 16, 8);
    memcpy(&sum, buf + 24, 8);
    if (ver != CKPT_VERSION && ver != 1u)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: checkpoint version %u is not understood (this nn2 reads 1 and %u)",
                        name, ver, CKPT_VERSION);
    if (plen != len - CKPT_HEADER)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: truncated or padded checkpoint (%zu payload bytes, header says %llu)",
                        name, len - CKPT_HEADER, (unsigned long long)plen);
    if (fnv1a(buf + CKPT_HEADER, (size_t)plen) != sum)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: checksum mismatch: the checkpoint is corrupt", name);
    rbuf r = {buf + CKPT_HEADER, (size_t)plen, 0, 0};
    nn2_arch *a = &c->arch;
    a->n_sizes = get_i32(&r);
    if (a->n_sizes < 2 || a->n_sizes > NN2_MAX_LAYERS + 1)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: bad layer count %d", name, a->n_sizes);
    for (int i = 0; i < a->n_sizes; i++) a->sizes[i] = get_i32(&r);
    for (int l = 0; l + 1 < a->n_sizes; l++) {
        const int32_t act = get_i32(&r);
        a->act[l] = act >= 0 && act < NN2_ACT_COUNT ? (nn2_act)act : NN2_ACT_COUNT;
        a->dropout[l] = get_f64(&r);
    }
    const int32_t cost = get_i32(&r);
    a->cost = cost >= 0 && cost < NN2_COST_COUNT ? (nn2_cost)cost : NN2_COST_COUNT;
    nn2_error aerr;
    if (r.bad || nn2_arch_check(a, &aerr) != NN2_OK)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: bad network description%s%s", name, r.bad ? "" : ": ",
                        r.bad ? "" : aerr.msg);
    int32_t ints[8];
    for (int i = 0; i < 8; i++) ints[i] = get_i32(&r);
    c->batch_size = ints[0];
    c->reg = ints[1];
    c->nesterov = ints[2];
    c->schedule = ints[3];
    c->step_epochs = ints[4];
    c->patience = ints[5];
    c->early_stop = ints[6];
    c->expand = ints[7];
    c->eta0 = get_f64(&r);
    c->lambda = get_f64(&r);
    c->momentum = get_f64(&r);
    c->step_gamma = get_f64(&r);
    c->seed = get_u64(&r);
    c->n_train = get_u64(&r);
    c->data_hash = get_u64(&r);
    c->epoch = get_i32(&r);
    c->batch = get_u64(&r);
    for (int i = 0; i < 4; i++) c->rng[i] = get_u64(&r);
    c->sched.eta = get_f64(&r);
    c->sched.eta0 = get_f64(&r);
    c->sched.best = (long)get_u64(&r);
    c->sched.best_epoch = get_i32(&r);
    c->sched.since_best = get_i32(&r);
    c->sched.since_change = get_i32(&r);
    c->wscale = ver >= 2u ? get_f64(&r) : 1.0;
    c->n_params = get_u64(&r);
    if (r.bad || c->batch_size < 1 || c->epoch < 0 || c->n_train == 0 || c->batch > c->n_train ||
        !(c->sched.eta > 0) || !isfinite(c->sched.eta) || !(c->wscale > 0.0 && c->wscale <= 1.0))
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: bad training progress fields", name);
    /* the arena's size follows from the network: check before allocating */
    size_t want = 0;
    for (int l = 0; l + 1 < a->n_sizes; l++)
        want += (size_t)(a->sizes[l] + 1) * (size_t)nn2_round16(a->sizes[l + 1]);
    if (c->n_params != want)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: %llu parameters where the network has %zu", name,
                        (unsigned long long)c->n_params, want);
    int ok = 1;
    c->params = get_arena(&r, c->n_params, &ok);
    c->vel = get_arena(&r, c->n_params, &ok);
    c->best = get_arena(&r, c->n_params, &ok);
    c->n_hist = get_i32(&r);
    if (ok && !r.bad && c->params && c->n_hist >= 0 && c->n_hist <= CKPT_MAX_HIST &&
        (size_t)c->n_hist <= (r.n - r.at) / STATS_BYTES) {
        c->hist = calloc((size_t)c->n_hist + 1, sizeof *c->hist);
        if (!c->hist) ok = 0;
        for (int i = 0; ok && i < c->n_hist; i++) get_stats(&r, &c->hist[i]);
    } else {
        ok = 0;
    }
    if (!ok || r.bad || r.at != r.n) {
        nn2_ckpt_free(c);
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: malformed checkpoint arrays", name);
    }
    for (size_t i = 0; i < c->n_params; i++)
        if (!isfinite(c->params[i])) {
            nn2_ckpt_free(c);
            return nn2_fail(err, NN2_ERR_FORMAT, "%s: non-finite parameter in the checkpoint", name);
        }
    return NN2_OK;
}

nn2_status nn2_ckpt_load(const char *path, nn2_ckpt *c, nn2_error *err)
{
    char *buf;
    size_t len;
    nn2_status st = nn2_read_file(path, CKPT_MAX_BYTES, &buf, &len, err);
    if (st != NN2_OK) return st;
    st = nn2_ckpt_parse((const uint8_t *)buf, len, path, c, err);
    free(buf);
    return st;
}

void nn2_ckpt_describe(nn2_ckpt *c, const nn2_net *net, const nn2_config *cfg,
                       const nn2_dataset *train)
{
    c->arch = net->arch;
    c->batch_size = cfg->batch_size;
    c->reg = cfg->reg;
    c->nesterov = cfg->nesterov;
    c->schedule = cfg->schedule;
    c->step_epochs = cfg->step_epochs;
    c->patience = cfg->patience;
    c->early_stop = cfg->early_stop;
    c->expand = train->expand;
    c->eta0 = cfg->eta;
    c->lambda = cfg->lambda;
    c->momentum = cfg->momentum;
    c->step_gamma = cfg->step_gamma;
    c->seed = cfg->seed;
    c->n_train = train->count;
    c->data_hash = nn2_data_hash(train);
    c->n_params = net->n_params;
}

nn2_status nn2_ckpt_compatible(const nn2_ckpt *s, const nn2_ckpt *n, const char *path,
                               nn2_error *err)
{
    const char *what = NULL;
    if (s->arch.n_sizes != n->arch.n_sizes ||
        memcmp(s->arch.sizes, n->arch.sizes, sizeof(int) * (size_t)s->arch.n_sizes))
        what = "--sizes";
    for (int l = 0; !what && l + 1 < s->arch.n_sizes; l++) {
        if (s->arch.act[l] != n->arch.act[l]) what = "--activation/--output";
        else if (s->arch.dropout[l] != n->arch.dropout[l]) what = "--dropout";
    }
    if (!what && s->arch.cost != n->arch.cost) what = "--cost";
    if (!what && s->batch_size != n->batch_size) what = "--batch-size";
    if (!what && s->eta0 != n->eta0) what = "--eta";
    if (!what && s->lambda != n->lambda) what = "--lambda";
    if (!what && s->reg != n->reg) what = "--reg";
    if (!what && (s->momentum != n->momentum || s->nesterov != n->nesterov)) what = "--momentum/--nesterov";
    if (!what && (s->schedule != n->schedule || s->step_epochs != n->step_epochs ||
                  s->step_gamma != n->step_gamma || s->patience != n->patience))
        what = "--schedule and its parameters";
    if (!what && s->early_stop != n->early_stop) what = "--early-stop";
    if (!what && s->seed != n->seed) what = "--seed";
    if (!what && (s->n_train != n->n_train || s->expand != n->expand || s->data_hash != n->data_hash))
        what = "training set (--data, --train-size, --validation-size, --expand)";
    if (what)
        return nn2_fail(err, NN2_ERR_ARG,
                        "%s: the checkpoint was written with a different %s; resuming would change the "
                        "result (give the original settings)",
                        path, what);
    return NN2_OK;
}
