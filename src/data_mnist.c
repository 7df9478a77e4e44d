/* data_mnist.c: IDX(.gz) reading and validation, MNIST file-name spellings, the book's
 * training/validation/test split. Pixels stay uint8; they are scaled to [0,1] when used. */
#define _DEFAULT_SOURCE /* madvise(2)'s MADV_HUGEPAGE (Linux) */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#if NN2_WITH_ZLIB
#include <zlib.h>
#endif

#include "common.h"

#define IDX_MAGIC_IMAGES 2051u
#define IDX_MAGIC_LABELS 2049u
#define IDX_MAX_BYTES ((size_t)1 << 34) /* 16 GiB: refuse anything larger */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#if NN2_WITH_ZLIB
/* zlib's message, without the "path: " it puts in front. */
static const char *gz_msg(gzFile f, const char *path, int *zerr)
{
    const char *msg = gzerror(f, zerr);
    const size_t n = strlen(path);
    return strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ' ? msg + n + 2 : msg;
}
#endif

/* Loading MNIST's 47 MB of training images into 4 KB pages took about 125 ms on this VM (one
 * page fault per page, and faults are dear in this VM) and moving the payload over the header
 * afterwards another 50 ms; in 2 MB pages the read took 12-79 ms. So a buffer of several MB
 * asks for transparent huge pages (a hint: ignored where THP is off), and the header is read
 * apart from the payload, which is never moved. */
#define HUGE_PAGE ((uintptr_t)2 << 20)

static void hint_huge(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    const uintptr_t e = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p, (void)n;
#endif
}

/* Read a whole (possibly gzip-compressed) file: its first head_len bytes into head (*head_got
 * of them present), the rest into a buffer whose memory follows the bytes really present,
 * never a header's claim (first sized by the file's length: one allocation for a raw file). */
static nn2_status read_all(const char *path, uint8_t *head, size_t head_len, size_t *head_got,
                           uint8_t **out, size_t *len, nn2_error *err)
{
#if NN2_WITH_ZLIB
    gzFile f = gzopen(path, "rb");
    if (!f) return nn2_fail(err, NN2_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
#else
    FILE *f = fopen(path, "rb");
    if (!f) return nn2_fail(err, NN2_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
#endif
    struct stat sb;
    size_t cap = 1 << 16, n = 0, h = 0;
    if (stat(path, &sb) == 0 && sb.st_size > 0 && (uint64_t)sb.st_size < IDX_MAX_BYTES &&
        (size_t)sb.st_size + 1 > cap)
        cap = (size_t)sb.st_size + 1; /* + 1: a raw file's end is seen without growing */
    uint8_t *buf = malloc(cap);
    nn2_status st = NN2_OK;
    if (!buf) st = nn2_fail(err, NN2_ERR_NOMEM, "%s: out of memory", path);
    else hint_huge(buf, cap);
    while (st == NN2_OK) {
        const int in_head = h < head_len;
        if (!in_head && n == cap) {
            if (cap >= IDX_MAX_BYTES) {
                st = nn2_fail(err, NN2_ERR_FORMAT, "%s: larger than 16 GiB", path);
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                st = nn2_fail(err, NN2_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            buf = nb;
            cap *= 2;
            hint_huge(buf, cap);
        }
        uint8_t *dst = in_head ? head + h : buf + n;
        size_t want = in_head ? head_len - h : cap - n;
        if (want > (1u << 30)) want = 1u << 30;
#if NN2_WITH_ZLIB
        int got = gzread(f, dst, (unsigned)want);
        if (got < 0) {
            int zerr;
            const char *msg = gz_msg(f, path, &zerr);
            if (zerr == Z_ERRNO) /* the read itself failed (a directory, an I/O error) */
                st = nn2_fail(err, NN2_ERR_IO, "%s: cannot read: %s", path, msg);
            else
                st = nn2_fail(err, NN2_ERR_FORMAT, "%s: corrupt gzip data: %s", path, msg);
            break;
        }
        if (got == 0) {
            int zerr = Z_OK;
            const char *msg = gz_msg(f, path, &zerr);
            if (zerr != Z_OK) /* e.g. a gzip stream cut short: zlib ends it without -1 */
                st = nn2_fail(err, NN2_ERR_FORMAT, "%s: corrupt gzip data: %s", path, msg);
        }
#else
        size_t got = fread(dst, 1, want, f);
        if (got == 0 && ferror(f)) {
            st = nn2_fail(err, NN2_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
#endif
        if (got == 0) break;
        if (in_head) h += (size_t)got;
        else n += (size_t)got;
    }
#if NN2_WITH_ZLIB
    gzclose(f);
#else
    fclose(f);
#endif
    if (st != NN2_OK) {
        free(buf);
        return st;
    }
    *head_got = h;
    *out = buf;
    *len = n;
    return NN2_OK;
}

/* Check an IDX file's header (head, head_len bytes present of 4 + 4 ndim) against its payload
 * (len bytes, already in memory): magic, dimensions, and the payload's real length. ndim: 3
 * for images, 1 for labels. */
static nn2_status idx_parse(const char *path, const uint8_t *head, size_t head_len, size_t len,
                            int ndim, uint32_t *dims, nn2_error *err)
{
    const uint32_t want_magic = ndim == 3 ? IDX_MAGIC_IMAGES : IDX_MAGIC_LABELS;
    const size_t header = 4 + 4 * (size_t)ndim;
    if (head_len < 4)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: truncated: %zu bytes, no IDX header", path, head_len);
    const uint32_t magic = be32(head);
    if (magic != want_magic)
        return nn2_fail(err, NN2_ERR_FORMAT,
                        "%s: bad magic number %u, expected %u (IDX %s file)", path, magic,
                        want_magic, ndim == 3 ? "image" : "label");
    if (head_len < header)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: truncated header (%zu bytes)", path, head_len);
    size_t payload = 1;
    for (int i = 0; i < ndim; i++) {
        dims[i] = be32(head + 4 + 4 * i);
        if (dims[i] == 0)
            return nn2_fail(err, NN2_ERR_FORMAT, "%s: dimension %d is zero", path, i);
        if (!nn2_mul_size(payload, dims[i], &payload))
            return nn2_fail(err, NN2_ERR_FORMAT, "%s: dimensions overflow", path);
    }
    if (len < payload)
        return nn2_fail(err, NN2_ERR_FORMAT,
                        "%s: truncated: header declares %u items (%zu data bytes) but the file "
                        "holds %zu",
                        path, dims[0], payload, len);
    if (len > payload)
        return nn2_fail(err, NN2_ERR_FORMAT,
                        "%s: %zu bytes of trailing data after the %u declared items", path,
                        len - payload, dims[0]);
    return NN2_OK;
}

nn2_status nn2_idx_load(nn2_idx_set *out, const char *images_path, const char *labels_path,
                        int n_classes, nn2_error *err)
{
    memset(out, 0, sizeof *out);
    uint8_t *img = NULL, *lab = NULL;
    size_t img_len = 0, lab_len = 0;
    uint32_t idim[3] = {0, 0, 0}, ldim[1] = {0};
    uint8_t ihead[16], lhead[8];
    size_t ih = 0, lh = 0;
    nn2_status st = read_all(images_path, ihead, sizeof ihead, &ih, &img, &img_len, err);
    if (st == NN2_OK) st = idx_parse(images_path, ihead, ih, img_len, 3, idim, err);
    if (st == NN2_OK && (size_t)idim[1] * idim[2] > (1u << 24))
        st = nn2_fail(err, NN2_ERR_FORMAT, "%s: images of %ux%u pixels are too large",
                      images_path, idim[1], idim[2]);
    if (!labels_path) ldim[0] = idim[0]; /* the images alone */
    if (st == NN2_OK && labels_path) st = read_all(labels_path, lhead, sizeof lhead, &lh, &lab, &lab_len, err);
    if (st == NN2_OK && labels_path) st = idx_parse(labels_path, lhead, lh, lab_len, 1, ldim, err);
    if (st == NN2_OK && ldim[0] != idim[0])
        st = nn2_fail(err, NN2_ERR_FORMAT, "%s: %u labels but %s holds %u images", labels_path,
                      ldim[0], images_path, idim[0]);
    for (size_t i = 0; st == NN2_OK && lab && i < ldim[0]; i++)
        if (lab[i] >= n_classes)
            st = nn2_fail(err, NN2_ERR_FORMAT, "%s: label %u of item %zu is out of range 0..%d",
                          labels_path, lab[i], i, n_classes - 1);
    if (st != NN2_OK) {
        free(img);
        free(lab);
        return st;
    }
    out->images = img;
    out->labels = lab;
    out->count = idim[0];
    out->rows = (int)idim[1];
    out->cols = (int)idim[2];
    return NN2_OK;
}

void nn2_idx_free(nn2_idx_set *s)
{
    free(s->images);
    free(s->labels);
    memset(s, 0, sizeof *s);
}

nn2_status nn2_idx_find(char *path, size_t cap, const char *dir, const char *prefix, const char *stem,
                        nn2_error *err)
{
    /* stem: "train-images", "train-labels", "t10k-images", "t10k-labels"; "t10k" is also
     * looked for as "test" (EMNIST's spelling) */
    const char *kind = strstr(stem, "images") ? "idx3" : "idx1";
    static const char *const seps[] = {"-", "."};
    static const char *const exts[] = {"", ".gz"};
    const int t10k = strncmp(stem, "t10k", 4) == 0;
    for (int name = 0; name < 1 + t10k; name++)
        for (int s = 0; s < 2; s++)
            for (int e = 0; e < 2; e++) {
                int n = name ? snprintf(path, cap, "%s/%stest%s%s%s-ubyte%s", dir, prefix, stem + 4, seps[s], kind, exts[e])
                             : snprintf(path, cap, "%s/%s%s%s%s-ubyte%s", dir, prefix, stem, seps[s], kind, exts[e]);
                struct stat sb;
                if (n > 0 && (size_t)n < cap && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
                    return NN2_OK;
            }
    return nn2_fail(err, NN2_ERR_IO, "%s/%s%s-%s-ubyte[.gz]: not found (nor the '.%s' spelling%s)", dir,
                    prefix, stem, kind, kind, t10k ? ", nor 'test' for 't10k'" : "");
}

nn2_status nn2_mnist_find(char *path, size_t cap, const char *dir, const char *stem,
                          nn2_error *err)
{
    return nn2_idx_find(path, cap, dir, "", stem, err);
}

/* The largest label of s, plus one. */
static int label_span(const nn2_idx_set *s)
{
    int top = 0;
    for (size_t i = 0; i < s->count; i++) top = s->labels[i] >= top ? s->labels[i] + 1 : top;
    return top;
}

nn2_status nn2_idx_dataset_load(nn2_mnist *out, const char *dir, const char *prefix, size_t n_train,
                                size_t n_valid, nn2_error *err)
{
    memset(out, 0, sizeof *out);
    char ti[4096], tl[4096], si[4096], sl[4096];
    nn2_status st;
    if ((st = nn2_idx_find(ti, sizeof ti, dir, prefix, "train-images", err)) ||
        (st = nn2_idx_find(tl, sizeof tl, dir, prefix, "train-labels", err)) ||
        (st = nn2_idx_find(si, sizeof si, dir, prefix, "t10k-images", err)) ||
        (st = nn2_idx_find(sl, sizeof sl, dir, prefix, "t10k-labels", err)))
        return st;
    if ((st = nn2_idx_load(&out->train_file, ti, tl, 256, err))) return st;
    if ((st = nn2_idx_load(&out->test_file, si, sl, 256, err))) {
        nn2_idx_free(&out->train_file);
        return st;
    }
    const nn2_idx_set *tr = &out->train_file, *te = &out->test_file;
    if (te->rows != tr->rows || te->cols != tr->cols) {
        nn2_mnist_free(out);
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: images are %dx%d but %s has %dx%d", si,
                        te->rows, te->cols, ti, tr->rows, tr->cols);
    }
    if (n_train == 0 && n_valid < tr->count) n_train = tr->count - n_valid;
    if (n_train == 0 || n_train + n_valid > tr->count) {
        const size_t count = tr->count;
        nn2_mnist_free(out);
        if (n_train == 0)
            return nn2_fail(err, NN2_ERR_ARG,
                            "%s: holds %zu images, not more than --validation-size %zu", ti,
                            count, n_valid);
        return nn2_fail(err, NN2_ERR_ARG,
                        "%s: holds %zu images, fewer than --train-size %zu + --validation-size "
                        "%zu",
                        ti, count, n_train, n_valid);
    }
    /* as many classes as the labels of either file need, and MNIST's 10 at least (so that a
     * subset without some digit is still a 10-class problem) */
    const int span_tr = label_span(tr), span_te = label_span(te);
    int classes = span_tr > span_te ? span_tr : span_te;
    classes = classes > 10 ? classes : 10;
    const int dim = tr->rows * tr->cols;
    out->training = (nn2_dataset){tr->images, tr->labels, n_train, dim, classes, tr->rows, tr->cols, 0};
    const size_t v0 = tr->count - n_valid; /* the validation set is the file's last n_valid */
    out->validation = (nn2_dataset){tr->images + v0 * (size_t)dim, tr->labels + v0, n_valid, dim,
                                    classes, tr->rows, tr->cols, 0};
    out->test = (nn2_dataset){te->images, te->labels, te->count, dim, classes, te->rows, te->cols, 0};
    return NN2_OK;
}

nn2_status nn2_mnist_load(nn2_mnist *out, const char *dir, size_t n_train, size_t n_valid,
                          nn2_error *err)
{
    return nn2_idx_dataset_load(out, dir, "", n_train, n_valid, err);
}

void nn2_mnist_free(nn2_mnist *m)
{
    nn2_idx_free(&m->train_file);
    nn2_idx_free(&m->test_file);
    memset(m, 0, sizeof *m);
}

nn2_dataset nn2_dataset_expanded(const nn2_dataset *d)
{
    nn2_dataset e = *d;
    if (!d->expand) {
        e.expand = 1;
        e.count = d->count * 5;
    }
    return e;
}
