/* step.c: one mini-batch step, run by every thread of a team on its share of the work
 * (trainer.c: who owns what, the blocks, the tail and its halves): forward pass, output layer,
 * back-propagation, gradients and updates, with one barrier per step for [in, hidden, out]
 * networks.
 *
 * Lazy decay. network2's L2 step multiplies every weight by d = 1 - eta*lambda/n, W <- d*W -
 * (eta/m) G, two multiplies per weight next to the m FMAs of its gradient (with m = 10 the
 * weight gradient could run at no more than 10/12 of the FMA rate). So under plain L2 SGD the
 * first layer's weights (not its biases; without a hidden layer, the one layer's) are stored
 * as V with W = s*V during an epoch: a step multiplies the number s by d, scales the deltas by
 * -eta/(m s') (s' the new s) and adds x^T . delta to V (the kernel's C += A^T.B, one add per
 * weight), and the forward pass computes z = s*(x . V) + b. At the end of each epoch (nn2_trainer_settle), and within one when s falls
 * below WSCALE_MIN, the weights are folded, V <- s*V, s = 1. s follows the step count only, so
 * every thread count does the same operations. (Measured: the weight gradient of 48 units and
 * 10 samples, B2's on 2 threads, 1.10x faster; of 32 units, B1's, 1.13x.) */
#include <string.h>

#include "balance.h"
#include "dist.h"
#include "optim.h"
#include "parallel.h"
#include "step.h"

#define GRAD_CHUNK 64 /* rows of WT per gradient+update pass: keeps them in L1/L2 */
#define TAIL_CHUNK 96 /* ... beside a transposed tail's: its 2-row product's wide tiles (6 vectors) */
/* floats of the next mini-batch's first rows converted right after the barrier (step): 4 rows of
 * MNIST's 784 inputs, 8 of a half's 392 */
#define EARLY_FLOATS (4 * 784)
#define AHEAD_BURST 256 /* cache lines of the next mini-batch's pixels asked for at once */
#define WSCALE_MIN 0x1p-20 /* lazy decay: the smallest s before the weights are folded */
#define XCHUNK 8 /* rows of pixels converted just before the forward product reads them (step) */
#define XCHUNK_MAX_W (256 * 1024) /* ... where its first-layer weights are fewer floats (1 MiB) */

/* How grad_block and tail_grad apply a weight gradient: through nn2_optim_update_rows (momentum,
 * L1), in the kernel's epilogue (W <- d*W - (eta/m) G, plain L2), or added to the stored
 * weights from deltas scaled beforehand (lazy decay). */
enum { UPD_OPTIM, UPD_FUSED, UPD_ADD };

/* Where a thread finds layer l's parameters W (WT's n_in rows, then the bias row), gradients G
 * and velocities V: rows at stride ld, element 0 of a row being unit u0's. */
typedef struct blk {
    float *W, *G, *V;
    int ld, u0;
} blk;

/* The next mini-batch's pixels (its rows [0, n), inputs [c0, c1)), asked of the cache a few rows
 * at a time during the first layer's weight gradient: a whole mini-batch's prefetches at once
 * (1,300 lines for 100 rows) fill the core's miss buffers, and the prefetch instructions then
 * stall the core until the lines arrive. */
typedef struct ahead {
    const nn2_dataset *data;
    const uint32_t *idx;
    size_t base;
    int n, done, c0, c1;
} ahead;

/* Rows up to `upto` (at most n) of the next mini-batch asked for. */
static void ahead_to(ahead *f, int upto)
{
    if (upto > f->n) upto = f->n;
    if (upto <= f->done) return;
    nn2_prefetch_rows(f->data, f->idx, f->base + (size_t)f->done, (size_t)(upto - f->done), f->c0, f->c1);
    f->done = upto;
}

/* gemm_tn's epilogue (alpha, beta) for an update in the kernel: network2's L2 step, or the lazy
 * decay's add of deltas scaled beforehand. */
static void epilogue_of(const nn2_optim *o, int upd, float *alpha, float *beta)
{
    *alpha = upd == UPD_ADD ? 1.0f : -o->scale;
    *beta = upd == UPD_ADD ? 1.0f : o->decay;
}

/* A block of a mini-batch trained in blocks (nn2_trainer_minibatch): its gradients are summed
 * into G, as momentum's are, and the last block applies them. */
static int parted(const nn2_optim *o)
{
    return o && (o->acc_in || o->acc_more);
}

/* The optimizer step that a gradient is applied with now: none for gradients only (o NULL) or in
 * a block that later blocks of its mini-batch follow (o->acc_more: its sums stay in G). */
static const nn2_optim *applied(const nn2_optim *o)
{
    return o && !o->acc_more ? o : NULL;
}

/* gemm_tn's beta for a weight gradient into G: 1 after a mini-batch's first block (o->acc_in),
 * which adds this block's sums to those of the blocks before it. */
static float gbeta(const nn2_optim *o)
{
    return o && o->acc_in ? 1.0f : 0.0f;
}

/* Where a bias gradient g of a step is summed: g itself, or after a mini-batch's first block
 * p->bacc, which bsum_done then adds to g (the blocks' sums added in block order). */
static float *bsum_at(const nn2_optim *o, const nn2_priv *p, float *g)
{
    return g && o && o->acc_in ? p->bacc : g;
}

static void bsum_done(const nn2_optim *o, const nn2_priv *p, float *g, int n)
{
    if (g && o && o->acc_in)
        for (int i = 0; i < n; i++) g[i] += p->bacc[i];
}

/* A transposed tail's halves [h0, h1) whose weight gradient grad_block (and grad_sel_optim)
 * adds chunk by chunk after the thread's own units' (tail_beside), from the tail's deltas hd
 * (mb, ld). */
typedef struct tjob {
    int h0, h1;
    const float *hd;
    int ld;
} tjob;

/* The weight gradient of a transposed (tt) tail's half h at inputs [c0, c1), all of its units,
 * along the inputs on the transposed copy, from the tail's deltas hd (mb, ld) and the inputs x,
 * applied as upd says, as grad_block (the same operations per weight whatever the inputs'
 * range: nn2_kernels.h). */
static void tail_cols_grad(const nn2_trainer *tr, const nn2_optim *o, int upd, int h, const float *x,
                           int ldx, const float *hd, int ld, int mb, int c0, int c1)
{
    const int ldt = tr->ldh[h], n = c1 - c0;
    int u0, u1;
    nn2_trainer_tail_units(tr, h, &u0, &u1);
    const int tn = u1 - u0;
    if (tn == 0 || n <= 0) return;
    const float *d = hd + u0;
    float *w = tr->tw[h] + c0, *g = tr->tg[h] + c0, *v = tr->tv[h] ? tr->tv[h] + c0 : NULL;
    x += c0;
    if (upd != UPD_OPTIM) {
        float alpha, beta;
        epilogue_of(o, upd, &alpha, &beta);
        tr->k->gemm_tn(tn, n, mb, d, ld, x, ldx, w, ldt, alpha, beta);
        return;
    }
    tr->k->gemm_tn(tn, n, mb, d, ld, x, ldx, g, ldt, 1.0f, gbeta(o)); /* BP4 */
    if (applied(o)) nn2_optim_update_rows(o, tn, n, w, ldt, g, ldt, v);
}

/* With tj: its halves' gradient at the inputs from *done (where the last call stopped; r0 at
 * first) to e, e rounded down to whole tiles of TAIL_CHUNK inputs from r0 unless it is r1, the
 * last (tail_cols_grad; a range that stopped anywhere would leave narrow, slow tiles). */
static void tail_beside(const nn2_trainer *tr, const nn2_optim *o, int upd, const tjob *tj,
                        const float *x, int ldx, int mb, int *done, int r0, int e, int r1)
{
    const int to = e >= r1 ? r1 : r0 + (e - r0) / TAIL_CHUNK * TAIL_CHUNK;
    if (!tj || to <= *done) return;
    for (int h = tj->h0; h < tj->h1; h++)
        tail_cols_grad(tr, o, upd, h, x, ldx, tj->hd, tj->ld, mb, *done, to);
    *done = to;
}

#define SEL_GROUP 48 /* selected rows per gradient call: whole tiles of 6 rows and of 8 */

/* grad_block under UPD_OPTIM with s: rows [r0, r1) in chunks that hold SEL_GROUP selected rows
 * each (the last one the rest), so that gemm_tn_sel's tiles are whole but in the last call; in
 * each chunk the gradient of the selected rows (gemm_tn_sel, beta 0), then the update of every
 * row of the chunk, whose other rows have a gradient of +0 (gemm_tn's bits there: its sums
 * start at +0): update_sel does not read them, and without o (a gradient only) zero_gaps
 * writes them; then with tj the tail's gradient up to the chunk's end (tail_beside). */
static void grad_sel_optim(const nn2_trainer *tr, const nn2_optim *o, ahead *f, blk b, int r0,
                           int r1, int j0, int j1, const float *x, int ldx, const float *delta,
                           int ldd, int mb, const nn2_xsel *s, const tjob *tj)
{
    const int ldw = b.ld, n = j1 - j0, first = f ? f->done : 0;
    float *G = b.G + (j0 - b.u0), *W = b.W + (j0 - b.u0), *V = b.V ? b.V + (j0 - b.u0) : NULL;
    int done = r0; /* the tail's inputs done */
    for (int p = 0, c0 = r0; c0 < r1;) {
        const int pe = s->n - p > SEL_GROUP ? p + SEL_GROUP : s->n;
        const int c1 = pe < s->n ? s->idx[pe] - s->base : r1;
        NN2_ASSERT(c1 > c0 && c1 <= r1);
        if (f) ahead_to(f, first + (int)((long)(f->n - first) * (c1 - r0) / (r1 - r0)));
        if (pe > p)
            tr->k->gemm_tn_sel(pe - p, n, mb, x, ldx, delta, ldd, s->idx + p, s->base, G, ldw, 1.0f,
                               gbeta(o));
        if (o && !parted(o))
            nn2_optim_update_sel(o, c0, c1, n, W, ldw, G, ldw, V, s->idx + p, pe - p, s->base);
        else if (!o || !o->acc_in) /* (a later block of a mini-batch adds nothing there) */
            tr->k->zero_gaps(c0, c1, n, s->idx + p, pe - p, s->base, G, ldw);
        if (parted(o) && applied(o)) /* the last block: every row, from the blocks' sums */
            nn2_optim_update_rows(o, c1 - c0, n, W + (size_t)c0 * ldw, ldw, G + (size_t)c0 * ldw, ldw,
                                  V ? V + (size_t)c0 * ldw : NULL);
        tail_beside(tr, o, UPD_OPTIM, tj, x, ldx, mb, &done, r0, c1, r1);
        p = pe;
        c0 = c1;
    }
}

/* C (rows x n at stride ldc) <- gemm_tn's alpha, beta epilogue of x^T . delta, x (mb, rows) at
 * stride ldx and delta (mb, n) at stride ldd; with pk (the deltas by panels: panel j, columns
 * [j, j + w), w = NN2_PACK_W or the rest, at pk + j*mb, its rows w floats apart), one call per
 * panel: the same operations on every element. */
static void grad_tn(const nn2_trainer *tr, int rows, int n, int mb, const float *x, int ldx,
                    const float *delta, int ldd, const float *pk, float *C, int ldc, float alpha, float beta)
{
    if (!pk) {
        tr->k->gemm_tn(rows, n, mb, x, ldx, delta, ldd, C, ldc, alpha, beta);
        return;
    }
    for (int j = 0; j < n; j += NN2_PACK_W) {
        const int w = n - j < NN2_PACK_W ? n - j : NN2_PACK_W;
        tr->k->gemm_tn(rows, w, mb, x, ldx, pk + (size_t)j * (size_t)mb, w, C + j, ldc, alpha, beta);
    }
}

/* The selection grad_block's product goes through: s, or NULL (every input) where the product
 * over the selected inputs would not pay (fewer than sel_grad_min multiply-adds; not under
 * UPD_ADD, which updates the selected rows alone). */
static const nn2_xsel *grad_sel(const nn2_trainer *tr, int upd, const nn2_xsel *s, int n, int mb)
{
    return s && upd != UPD_ADD && (long)mb * n < tr->k->sel_grad_min ? NULL : s;
}

/* Whether the first layer's gradient reads its n columns of deltas by panels (grad_tn): a
 * product over every input (s, after grad_sel, NULL) of at least NN2_PACK_MIN_N columns over
 * NN2_PACK_MIN_M samples (step.h). */
static int by_panels(const nn2_xsel *s, int n, int mb)
{
    return !s && n >= NN2_PACK_MIN_N && mb >= NN2_PACK_MIN_M;
}

/* Gradient of rows [r0,r1) x columns [j0,j1) of layer l's WT (in block b), summed over the mb
 * samples: x (mb, n_in) at stride ldx, delta (mb, .) at stride ldd (column j0 first), applied
 * as upd says (UPD_OPTIM: written to b.G, then nn2_optim_update_rows). With f, the next
 * mini-batch's pixels are asked for in even shares after each chunk of rows. With s (the sparse
 * first layer): the products over the inputs s selects only, under UPD_ADD their rows alone
 * (r0, r1 unused), under UPD_OPTIM every row, the others' gradients zero (for rows of at least
 * the kernel set's sel_grad_min multiply-adds, nn2_kernels.h). With pk (where by_panels; s is
 * then NULL): the deltas by panels, as BP2 wrote them (grad_tn), each panel's rows adjacent
 * instead of ldd floats apart (B4's rows of 800 units, 3200 bytes; measured:
 * bench/HISTORY.md); delta is then not read. With tj: after each chunk of rows
 * (TAIL_CHUNK of them, or with s that many selected ones, or grad_sel_optim's), the gradient of
 * a transposed tail's halves at every input up to the chunk's end (tail_beside), whose pixels
 * the chunk's product has just read into L1 (read after the whole product, they came from L2
 * again; measured: bench/HISTORY.md); with s those inputs run from r0 to r1. */
static void grad_block(const nn2_trainer *tr, const nn2_optim *o, int upd, ahead *f, blk b, int r0,
                       int r1, int j0, int j1, const float *x, int ldx, const float *delta, int ldd,
                       int mb, const nn2_xsel *s, const float *pk, const tjob *tj)
{
    const int ldw = b.ld, n = j1 - j0, first = f ? f->done : 0, add_sel = s && upd == UPD_ADD;
    s = grad_sel(tr, upd, s, n, mb);
    if (s && !add_sel) {
        grad_sel_optim(tr, o, f, b, r0, r1, j0, j1, x, ldx, delta, ldd, mb, s, tj);
        return;
    }
    const int cr = tj ? TAIL_CHUNK : GRAD_CHUNK; /* rows a chunk */
    const int rows = add_sel ? s->n : r1 - r0, chunks = (rows + cr - 1) / cr;
    NN2_ASSERT(!s || upd != UPD_FUSED);
    NN2_ASSERT(!pk || by_panels(s, n, mb));
    int done = r0; /* the tail's inputs done */
    for (int q0 = 0, q = 1; q0 < rows; q0 += cr, q++) {
        if (f) ahead_to(f, first + (int)((long)(f->n - first) * q / chunks));
        const int q1 = rows - q0 < cr ? rows : q0 + cr;
        if (add_sel) { /* the selected rows, through the list; the tail up to the next one's */
            tr->k->gemm_tn_sel(q1 - q0, n, mb, x, ldx, delta, ldd, s->idx + q0, s->base, b.W + (j0 - b.u0), ldw,
                               1.0f, 1.0f);
            const int e = q1 < rows ? s->idx[q1] - s->base : r1;
            tail_beside(tr, o, upd, tj, x, ldx, mb, &done, r0, e, r1);
            continue;
        }
        const int c0 = r0 + q0, c1 = r0 + q1;
        const size_t off = (size_t)c0 * ldw + (size_t)(j0 - b.u0);
        if (upd != UPD_OPTIM) { /* BP4 + the update in the kernel's epilogue */
            float alpha, beta;
            epilogue_of(o, upd, &alpha, &beta);
            grad_tn(tr, c1 - c0, n, mb, x + c0, ldx, delta, ldd, pk, b.W + off, ldw, alpha, beta);
        } else { /* BP4 (added to the earlier blocks' sums) */
            grad_tn(tr, c1 - c0, n, mb, x + c0, ldx, delta, ldd, pk, b.G + off, ldw, 1.0f, gbeta(o));
            if (applied(o))
                nn2_optim_update_rows(o, c1 - c0, n, b.W + off, ldw, b.G + off, ldw, b.V ? b.V + off : NULL);
        }
        tail_beside(tr, o, upd, tj, x, ldx, mb, &done, r0, c1, r1);
    }
    tail_beside(tr, o, upd, tj, x, ldx, mb, &done, r0, r1, r1); /* (add_sel, none selected: all) */
}

/* The tail's partial sums of half h (at parity par): (mb, ldq). */
static float *part_of(const nn2_trainer *tr, unsigned par, int h)
{
    return tr->part[h] + (size_t)(par & 1u) * (size_t)tr->m_max * (size_t)tr->ldq;
}

/* Inputs [*k0, *k1) of the tail's halves [h0, h1) (empty when h1 <= h0): half 0 is [0, kh),
 * half 1 [kh, n_in); with tt every half has them all. */
static void half_inputs(const nn2_trainer *tr, int h0, int h1, int *k0, int *k1)
{
    if (tr->tt) {
        *k0 = 0;
        *k1 = h1 > h0 ? tr->net->sizes[0] : 0;
        return;
    }
    *k0 = h0 ? tr->kh : 0;
    *k1 = h1 <= h0 ? *k0 : h1 == 2 ? tr->net->sizes[0] : tr->kh;
}

/* The tail's units whose deltas a thread with halves [h0, h1) computes, [*u0, *u1): with tt
 * those of its halves (adjacent), else all of them (empty without a half). */
static void tail_cols(const nn2_trainer *tr, int h0, int h1, int *u0, int *u1)
{
    int e0;
    *u0 = *u1 = tr->nm;
    if (h1 <= h0) return;
    nn2_trainer_tail_units(tr, h0, u0, &e0);
    nn2_trainer_tail_units(tr, h1 - 1, &e0, u1);
}

/* The first position p >= lo of the sorted idx[0..n) with idx[p] >= k (n if none). */
static int first_at_least(const int *idx, int lo, int n, int k)
{
    for (int hi = n; lo < hi;) {
        const int mid = (lo + hi) / 2;
        if (idx[mid] < k) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* The part of selection s in inputs [k0, k1), for weights whose row 0 is input k0. */
static nn2_xsel sub_sel(const nn2_xsel *s, int k0, int k1)
{
    const int p0 = first_at_least(s->idx, 0, s->n, k0), p1 = first_at_least(s->idx, p0, s->n, k1);
    return (nn2_xsel){s->idx + p0, p1 - p0, k0};
}

/* The sums of half h of the tail's forward pass for rows [r, e) of the mini-batch (ws: the lazy
 * decay's s; as nn2_dense_forward), into the half's buffer. tt: its units [u0, u1) whole, x .
 * WT[:, u0:u1] as dot products over the inputs on the transposed copy (tail_forward finishes
 * them). Else its partial sums ws * (x[:, k0:k1] . WT[k0:k1, nm:n]), + b[nm:n] in half 0, as
 * the whole slices, vectorised over units (tail_finish adds the halves). The same operations
 * whatever rows a call computes (nn2_kernels.h). */
static void tail_sums(const nn2_trainer *tr, const float *x, int ldx, const nn2_xsel *xs, float ws,
                      unsigned par, int h, int r, int e)
{
    const int tn = tr->net->sizes[1] - tr->nm, ldq = tr->ldq;
    int k0, k1;
    half_inputs(tr, h, h + 1, &k0, &k1);
    float *part = part_of(tr, par, h);
    x += (size_t)r * (size_t)ldx;
    if (!tr->tt) {
        const float *b = h ? NULL : tr->tw[0] + nn2_trainer_tail_boff(tr, 0);
        const nn2_xsel hs = xs ? sub_sel(xs, k0, k1) : (nn2_xsel){0};
        nn2_gemm_scaled(tr->k, e - r, tn, k1 - k0, x + k0, ldx, xs ? &hs : NULL, tr->tw[h], tr->ldh[h], ws, b,
                        part + (size_t)r * ldq, ldq);
        return;
    }
    const int n = tr->tc[h];
    if (n > 0)
        tr->k->gemm_nt(e - r, n, k1 - k0, x + k0, ldx, tr->tw[h], tr->ldh[h], part + (size_t)r * n, n);
}

/* A tt tail's half h after tail_sums of all mb rows: z = ws * sums + b, then a = f(z) and
 * dropout into columns [u0, u1) of view v (other tails: nothing; tail_finish, after the
 * barrier). */
static void tail_forward(const nn2_trainer *tr, nn2_ws *v, const nn2_drop *drop, float ws,
                         unsigned par, int h, int mb)
{
    const int n = tr->tc[h], ld = v->ld[1];
    if (!tr->tt || n == 0) return;
    int u0, u1;
    nn2_trainer_tail_units(tr, h, &u0, &u1);
    float *part = part_of(tr, par, h);
    nn2_scale_bias(mb, n, part, n, ws, tr->tw[h] + nn2_trainer_tail_boff(tr, h));
    tr->k->act_forward[tr->net->arch.act[0]](mb * n, part); /* one call for the whole block */
    for (int r = 0; r < mb; r++)
        memcpy(v->a[1] + (size_t)r * ld + u0, part + (size_t)r * n, sizeof(float) * (size_t)n);
    if (v->dropped[1]) nn2_dropout_forward(tr->k, tr->net, v, drop, 1, mb, u0, u1);
}

/* Gradient of half h of the tail's weights from the tail's deltas hd (mb, ld) and the inputs
 * x. tt: its units, all inputs (tail_cols_grad); else its inputs [k0, k1), all tail units, by
 * grad_block itself (f: the next mini-batch's pixels, see ahead). */
static void tail_grad(const nn2_trainer *tr, const nn2_optim *o, int upd, ahead *f, int h,
                      const float *x, int ldx, const nn2_xsel *xs, const float *hd, int ld, int mb)
{
    int k0, k1;
    half_inputs(tr, h, h + 1, &k0, &k1);
    if (tr->tt) {
        tail_cols_grad(tr, o, upd, h, x, ldx, hd, ld, mb, k0, k1);
        return;
    }
    const blk b = {tr->tw[h], tr->tg[h], tr->tv[h], tr->ldh[h], tr->nm};
    const nn2_xsel hs = xs ? sub_sel(xs, k0, k1) : (nn2_xsel){0};
    grad_block(tr, o, upd, f, b, 0, k1 - k0, tr->nm, tr->net->sizes[1], x + k0, ldx, hd + tr->nm, ld, mb,
               xs ? &hs : NULL, NULL, NULL);
}

/* The update of half h's biases, whose gradient BP2 summed (tail_deltas): with tt kept after
 * the half's weights; else all of the tail's, after half 0's (h = 0). */
static void tail_bias(const nn2_trainer *tr, const nn2_optim *o, int h)
{
    int u0, u1;
    nn2_trainer_tail_units(tr, h, &u0, &u1);
    const size_t boff = nn2_trainer_tail_boff(tr, h);
    float *w = tr->tw[h], *g = tr->tg[h], *v = tr->tv[h];
    if (u1 > u0 && applied(o)) nn2_optim_update_bias(o, w + boff, g + boff, v ? v + boff : NULL, u1 - u0);
}

/* BP2 for the tail units of this thread's halves [h0, h1) (lean: into hv, from the output
 * deltas dn), their biases' gradients summed into the halves' copies (with tt each half's;
 * else all of them by the thread with half 0), the deltas stored times s. */
static void tail_deltas(const nn2_trainer *tr, const nn2_optim *o, nn2_priv *p, nn2_ws *hv,
                        const float *W2, const float *dn, int mb, int h0, int h1, float s)
{
    const nn2_net *net = tr->net;
    const int nL = net->sizes[2];
    int u0, u1;
    if (!tr->tt) {
        tail_cols(tr, h0, h1, &u0, &u1);
        float *bsum = h0 == 0 && h1 > 0 ? tr->tg[0] + nn2_trainer_tail_boff(tr, 0) : NULL;
        if (u1 > u0) {
            nn2_dense_backward_delta(tr->k, net, hv, 1, 1, W2, dn, nL, mb, u0, u1, hv->d[1] + u0,
                                     hv->ld[1], p->scratch, bsum_at(o, p, bsum), s);
            bsum_done(o, p, bsum, u1 - u0);
        }
        return;
    }
    for (int h = h0; h < h1; h++) {
        nn2_trainer_tail_units(tr, h, &u0, &u1);
        float *bsum = tr->tg[h] + nn2_trainer_tail_boff(tr, h);
        if (u1 > u0) {
            nn2_dense_backward_delta(tr->k, net, hv, 1, 1, W2, dn, nL, mb, u0, u1, hv->d[1] + u0,
                                     hv->ld[1], p->scratch, bsum_at(o, p, bsum), s);
            bsum_done(o, p, bsum, u1 - u0);
        }
    }
}

/* Lazy decay: the weights this thread owns in the first layer (units [j0, j1) in block b, and
 * the tail's halves [h0, h1); single, or in2 by halves: the rows of its halves) times s, the
 * fold of V <- s*V (not the biases). */
static void fold_own(const nn2_trainer *tr, blk b, int j0, int j1, int h0, int h1, float s)
{
    const int n_in = tr->net->sizes[0], tn = tr->tail ? tr->net->sizes[1] - tr->nm : 0;
    if (tr->single || (tr->in2 && tr->rep)) { /* (in2 by halves) */
        int r0, r1;
        half_inputs(tr, h0, h1, &r0, &r1);
        nn2_scale_bias(r1 - r0, tr->net->sizes[1], b.W + (size_t)r0 * b.ld, b.ld, s, NULL);
        return;
    }
    nn2_scale_bias(n_in, j1 - j0, b.W + (j0 - b.u0), b.ld, s, NULL);
    for (int h = h0; h < h1; h++) {
        int k0, k1;
        half_inputs(tr, h, h + 1, &k0, &k1);
        nn2_scale_bias(tr->tt ? tr->tc[h] : k1 - k0, tr->tt ? k1 - k0 : tn, tr->tw[h], tr->ldh[h], s, NULL);
    }
}

/* Not tt: the tail's activations a = f(half 0 + half 1) into columns [nm, n) of view v, then
 * its dropout (v's mask and dropped). */
static void tail_finish(const nn2_trainer *tr, nn2_ws *v, const nn2_drop *drop, unsigned par, int mb)
{
    const nn2_net *net = tr->net;
    const int n = net->sizes[1], nm = tr->nm, ld = v->ld[1];
    const float *p0 = part_of(tr, par, 0), *p1 = part_of(tr, par, 1);
    const int act = (int)net->arch.act[0];
    if (nm == 0 && ld == tr->ldq) /* the whole layer: one pass over the block, pads too */
        tr->k->add_act(mb * ld, v->a[1], p0, p1, act);
    else
        for (int r = 0; r < mb; r++)
            tr->k->add_act(n - nm, v->a[1] + (size_t)r * ld + nm, p0 + (size_t)r * tr->ldq,
                           p1 + (size_t)r * tr->ldq, act);
    if (v->dropped[1]) nn2_dropout_forward(tr->k, net, v, drop, 1, mb, nm, n);
}

/* With several ranks: after a barrier, thread 0 swaps this rank's columns of buf (mb, ld) for
 * the other ranks' (n units); the caller's next barrier publishes them to its threads. */
static void exchange(nn2_trainer *tr, float *buf, int mb, int ld, int n, int t)
{
    if (t == 0) nn2_dist_gather_cols(tr->dist, buf, mb, ld, n, 1);
}

/* Input of weight layer l and its stride: the thread's own pixels for l = 0, else the shared
 * hidden activations (dropped copy while training with dropout). */
static const float *input_of(const nn2_ws *ws, const nn2_priv *p, int l, int *ld)
{
    if (l == 0) {
        *ld = ws->ld[0];
        return p->x;
    }
    *ld = ws->ld[l];
    return ws->dropped[l] ? ws->dropped[l] : ws->a[l];
}

static blk arena_blk(const nn2_trainer *tr, int l)
{
    const nn2_net *net = tr->net;
    return (blk){nn2_layer_WT(net, l), nn2_arena_WT(net, tr->grads, l),
                 tr->vel ? nn2_arena_WT(net, tr->vel, l) : NULL, net->layer[l].ldw, 0};
}

static blk layer_blk(const nn2_trainer *tr, const nn2_priv *p, int l)
{
    const nn2_net *net = tr->net;
    if (p && p->wout && l >= 1 && (tr->lean || tr->rep) && !tr->split_out) { /* the thread's copy */
        const size_t off = net->layer[l].offset - net->layer[1].offset;
        return (blk){p->wout + off, p->gout + off, p->vout ? p->vout + off : NULL, net->layer[l].ldw, 0};
    }
    if (p && tr->own0 && l == 0) return (blk){p->w0, p->g0, p->v0, p->ld0, p->u0};
    return arena_blk(tr, l);
}

/* Where the bias gradient of unit j0 of layer l (in block b) goes. */
static float *bias_grad(const nn2_trainer *tr, blk b, int l, int j0)
{
    return b.G + (size_t)tr->net->layer[l].n_in * b.ld + (size_t)(j0 - b.u0);
}

/* Bias gradient (BP3) of units [j0,j1) of layer l (in block b) and its update; delta NULL: the
 * gradient is there already (summed by BP2, nn2_dense_backward_delta). */
static void grad_bias(const nn2_trainer *tr, const nn2_optim *o, const nn2_priv *p, blk b, int l,
                      int j0, int j1, const float *delta, int ldd, int mb)
{
    if (j1 <= j0) return;
    const size_t boff = (size_t)(bias_grad(tr, b, l, j0) - b.G);
    if (delta) {
        tr->k->colsum(mb, j1 - j0, delta, ldd, bsum_at(o, p, b.G + boff));
        bsum_done(o, p, b.G + boff, j1 - j0);
    }
    if (applied(o)) nn2_optim_update_bias(o, b.W + boff, b.G + boff, b.V ? b.V + boff : NULL, j1 - j0);
}

/* Partial output sums of group g (0, 1; 2: the tail) at parity par: with rows_owned, groups 0
 * and 1 in their owners' shared buffers (shared = 1), else in the thread's own. */
static float *group_part(const nn2_trainer *tr, const nn2_priv *p, int g, unsigned par, int shared)
{
    const size_t m = (size_t)tr->m_max * (size_t)tr->ldp;
    return shared ? tr->gpart[g] + (size_t)(par & 1u) * m : p->gp + (size_t)g * m;
}

/* P (mb, nL) at stride ldp = x[:, u0:u1] . W2[u0:u1], the output layer's weights W2 at stride
 * ldw (no bias). */
static void out_partial(const nn2_trainer *tr, const float *W2, int ldw, const float *x, int ldx,
                        int u0, int u1, float *P, int mb)
{
    if (u1 > u0)
        tr->k->gemm_nn(mb, tr->net->sizes[2], u1 - u0, x + u0, ldx, W2 + (size_t)u0 * ldw, ldw,
                       1.0f, NULL, P, tr->ldp);
}

/* Hidden group g (0, 1) of the output layer's sums: units [0, ga) or [ga, gm), and with a tt
 * tail the units of its half gh[g]; *u0.. the tail's ones. Nonzero when it has any unit. */
static int group_units(const nn2_trainer *tr, int g, int *lo, int *hi, int *u0, int *u1)
{
    *lo = g ? tr->ga : 0;
    *hi = g ? tr->gm : tr->ga;
    *u0 = *u1 = 0;
    if (tr->tt) nn2_trainer_tail_units(tr, tr->gh[g], u0, u1);
    return *hi > *lo || *u1 > *u0;
}

/* Group g's partial output sums P = x[:, lo:hi] . W2[lo:hi], then with a tt tail
 * + x[:, u0:u1] . W2[u0:u1] (its half; tmp: m_max x ldp scratch): the same operations whoever
 * computes it, the group's owner before the barrier or every thread after it. */
static void group_sums(const nn2_trainer *tr, const float *W2, int ldw, const float *x, int ldx,
                       int g, float *P, float *tmp, int mb)
{
    int lo, hi, u0, u1;
    group_units(tr, g, &lo, &hi, &u0, &u1);
    out_partial(tr, W2, ldw, x, ldx, lo, hi, P, mb);
    if (u1 <= u0) return;
    if (hi <= lo) {
        out_partial(tr, W2, ldw, x, ldx, u0, u1, P, mb);
        return;
    }
    /* P + x[:, u0:u1] . W2[u0:u1] through gemm_tn's add epilogue, from the half's activations
     * transposed into tmp (at most 8 x mb): the bits of that product then the add, without a
     * pass of its own */
    const int tc = u1 - u0;
    for (int r = 0; r < mb; r++)
        for (int u = 0; u < tc; u++) tmp[(size_t)u * mb + r] = x[(size_t)r * ldx + u0 + u];
    tr->k->gemm_tn(mb, tr->net->sizes[2], tc, tmp, mb, W2 + (size_t)u0 * ldw, ldw, P, tr->ldp, 1.0f, 1.0f);
}

/* The output layer from np partial sums P (mb rows at stride ldp) and the biases b: z = ((P[0]
 * + P[1]) + P[2]) + b, then the output activation into zo (mb, nL). Returns 1 when BP1 (into
 * dout, from the rows' labels) is done too: the kernel set's out_rows, for up to 16 outputs
 * whose delta is a - y. */
static int out_finish(const nn2_trainer *tr, int np, const float *const *P, const float *b, int mb,
                      const uint8_t *labels, float *zo, float *dout)
{
    const nn2_net *net = tr->net;
    const int nL = net->sizes[net->n_layers], ldp = tr->ldp;
    const nn2_act act = net->arch.act[net->n_layers - 1];
    if (tr->k->out_rows && nL <= 16 && net->arch.cost != NN2_COST_QUADRATIC) {
        tr->k->out_rows(mb, nL, np, P, ldp, b, act == NN2_ACT_SOFTMAX, labels, zo, dout);
        return 1;
    }
    for (int r = 0; r < mb; r++) {
        float *z = zo + (size_t)r * nL;
        for (int o = 0; o < nL; o++) {
            float sum = P[0][(size_t)r * ldp + o];
            for (int i = 1; i < np; i++) sum += P[i][(size_t)r * ldp + o];
            z[o] = sum + b[o];
        }
    }
    if (act == NN2_ACT_SOFTMAX)
        tr->k->softmax_rows(mb, nL, zo);
    else
        tr->k->act_forward[act](mb * nL, zo);
    return 0;
}

/* Lean networks' output layer, mb rows of it into zo (mb, nL): z = ((P0 + P1) + Pt) + b, P0
 * and P1 the partial sums of the hidden groups (group_units; with a tt tail, each has one half
 * of it), Pt over a tail that is not tt, [gm, n) (empty ones left out), then the output
 * activation. The same operations for any thread count and any rows; with rows_owned
 * (shared = 1) the groups' sums were computed by their owners before the barrier from their own
 * units and weight rows, so the hidden activations need not cross cores; else the thread
 * computes them all from x, the whole hidden layer's first mb rows at stride ldx. Returns 1
 * when BP1 is done too (out_finish). */
static int out_forward(const nn2_trainer *tr, const nn2_priv *p, const blk *out, const float *x,
                       int ldx, unsigned par, int shared, int mb, const uint8_t *labels, float *zo,
                       float *dout)
{
    const int n = tr->net->sizes[1];
    const float *P[3];
    int np = 0;
    for (int g = 0; g < 3; g++) {
        int lo, hi, u0, u1;
        if (g < 2 ? !group_units(tr, g, &lo, &hi, &u0, &u1) : !tr->tail || tr->tt) continue;
        float *q = group_part(tr, p, g, par, shared && g < 2);
        if (g == 2)
            out_partial(tr, out->W, out->ld, x, ldx, tr->gm, n, q, mb);
        else if (!shared)
            group_sums(tr, out->W, out->ld, x, ldx, g, q, group_part(tr, p, 2, par, 0), mb);
        P[np++] = q;
    }
    return out_finish(tr, np, P, out->W + (size_t)n * out->ld, mb, labels, zo, dout);
}

/* Partial sums of the halves [h0, h1) of layer 0's inputs (a network without a hidden layer,
 * tr->single, or an in2 first layer), for n units: W their weights (at stride ldw; the bias row
 * after the n_in rows), half h from its inputs [k0, k1) (half_inputs), ws * (x[:, k0:k1] .
 * W[k0:k1]) (ws: the lazy decay's s; with xs over the inputs it selects only), + the biases in
 * half 0, into P[h] (mb rows at stride ldP). The same operations whoever computes them; the
 * biases are read by half 0's owner only, who also updates them. */
static void halves_forward(const nn2_trainer *tr, const float *W, int ldw, int n, const float *x,
                           int ldx, const nn2_xsel *xs, float ws, float *const P[2], int ldP, int h0,
                           int h1, int mb)
{
    const int n_in = tr->net->sizes[0];
    const float *b = W + (size_t)n_in * ldw;
    for (int h = h0; h < h1; h++) {
        int k0, k1;
        half_inputs(tr, h, h + 1, &k0, &k1);
        if (k1 > k0) {
            const nn2_xsel hs = xs ? sub_sel(xs, k0, k1) : (nn2_xsel){0};
            nn2_gemm_scaled(tr->k, mb, n, k1 - k0, x + k0, ldx, xs ? &hs : NULL, W + (size_t)k0 * ldw,
                            ldw, ws, h ? NULL : b, P[h], ldP);
            continue;
        }
        for (int r = 0; r < mb; r++) /* an empty half (fewer than 2 inputs) */
            for (int o = 0; o < n; o++) P[h][(size_t)r * ldP + o] = h ? 0.0f : b[o];
    }
}

/* The weight gradient and update of the rows of layer 0's halves [h0, h1) (a layer cut over
 * its inputs: single, or in2 by halves) for its n units in block b (the arena's rows): from the
 * deltas d (mb, at stride ldd), as grad_block applies it, over the rows xs selects with it. */
static void halves_grad(const nn2_trainer *tr, const nn2_optim *o, int upd, ahead *f, blk b, int h0,
                        int h1, int n, const float *x, int ldx, const float *d, int ldd,
                        const nn2_xsel *xs, int mb)
{
    int r0, r1;
    half_inputs(tr, h0, h1, &r0, &r1);
    nn2_xsel rs = xs ? sub_sel(xs, r0, r1) : (nn2_xsel){0};
    rs.base = 0; /* its rows are the arena's */
    grad_block(tr, o, upd, f, b, r0, r1, 0, n, x, ldx, d, ldd, mb, xs ? &rs : NULL, NULL, NULL);
}

/* An in2 first layer's units [j0, j1) (block b) computed whole by one thread: a = f((half 0 +
 * b) + half 1) into columns [j0, j1) of view v (the halves' sums in scratch), the bits of the
 * halves computed by two threads (tail_finish). */
static void in2_units(const nn2_trainer *tr, const nn2_priv *p, blk b, int j0, int j1,
                      const float *x, int ldx, const nn2_xsel *xs, float ws, nn2_ws *v, int mb)
{
    const int n = j1 - j0, ld = v->ld[1];
    float *const P[2] = {p->scratch, p->scratch + (size_t)mb * n};
    halves_forward(tr, b.W + (j0 - b.u0), b.ld, n, x, ldx, xs, ws, P, n, 0, 2, mb);
    for (int r = 0; r < mb; r++)
        tr->k->add_act(n, v->a[1] + (size_t)r * ld + j0, P[0] + (size_t)r * n, P[1] + (size_t)r * n,
                       (int)tr->net->arch.act[0]);
}

/* Ask the cache for the n floats at q (64-byte aligned: one prefetch per line). */
static void prefetch_floats(const float *q, size_t n)
{
    for (size_t i = 0; i < n; i += 16) __builtin_prefetch(q + i, 0, 3);
}

/* The partial sums this thread reads after the step's barrier, half of them written by the
 * other thread just before it: asked for before work that does not need them (see nn2_trainer_step). */
static void sums_ahead(const nn2_trainer *tr, const nn2_priv *p, unsigned par, int rown, int mb)
{
    if ((tr->tail && !tr->tt && nn2_trainer_holds_tail(tr)) || (tr->in2 && tr->rep))
        for (int h = 0; h < 2; h++) prefetch_floats(part_of(tr, par, h), (size_t)mb * tr->ldq);
    if (rown || tr->single)
        for (int g = 0; g < 2; g++) prefetch_floats(group_part(tr, p, g, par, 1), (size_t)mb * tr->ldp);
}

/* One mini-batch step, run by every thread t of nt (o == NULL: gradients only).
 *
 * [in, hidden, out] networks (tr->lean) take one barrier per step: every thread keeps its own
 * copy of the output layer and applies the whole output-layer update to it (the same
 * operations on the same numbers, so the copies stay equal, and equal to the one-thread
 * result), so no thread ever reads weights another one writes; and the hidden activations
 * alternate between two buffers, so the next step's forward does not overwrite what a slower
 * thread may still read. On 2 threads of one rank (rows_owned) the hidden units are cut into
 * two groups, one per thread, and only the groups' partial output sums cross the barrier (in
 * buffers that alternate the same way): each thread updates its group's rows of the output
 * layer (a transposed tail's half is in its group; the rows of a 2-slice tail and the biases
 * every thread updates) and keeps its hidden
 * activations, masks and deltas in buffers of its own. The output layer's sums have the same
 * group structure for every thread count (out_forward). On 3 or more threads, a network
 * without a tail or with a transposed one (tt), whose output layer costs more than a barrier
 * (split_out, trainer.c), shares that
 * layer out instead of repeating it: each thread computes the output sums, activations and BP1
 * of its share of the mini-batch's rows (the same operations, row by row) into shared buffers,
 * a second barrier publishes them, and each thread updates the output layer's rows of its own
 * hidden units in the arena (and of its halves of a tt tail; thread 0 its biases) from all of
 * the deltas, as rows_owned does. The next step's first barrier orders those updates before
 * anyone reads them.
 *
 * Deeper networks on small mini-batches (tr->rep, see rep_pays in trainer.c) take one barrier
 * per step too: the threads share out the first layer's units only, and every thread computes
 * all of the later layers (forward, BP2, gradients and updates) in its own copy of them (thread
 * 0 in the arena) and its own buffers, the same operations on the same numbers, so the copies
 * stay equal; the first hidden layer's activations, written by their owners before the barrier,
 * alternate between two buffers as in lean networks. A network without a hidden layer
 * (tr->single) takes one barrier per step too: its layer's sums are cut into two halves of the
 * inputs, z = ((x[:, 0:kh] . WT[0:kh] + b) + x[:, kh:] . WT[kh:]) + 0 for any thread count; on 2
 * threads each computes one half's partial sums from its own pixels and weight rows before the
 * barrier (the biases with half 0), every thread the output activations and BP1 from both after
 * it, and each updates its half's rows (thread 0 the biases), which nobody else reads; the
 * partial sums alternate between two buffers. Otherwise every layer's units are shared
 * out, with the arena's weights: a barrier after each layer's forward pass and each BP2 layer,
 * one before the updates and one at the end. There each thread's BP2 reads whole rows of a
 * hidden layer's weights, whose other columns the other threads update, so weight lines cross
 * the cores on every step. */
void nn2_trainer_step(nn2_trainer *tr, const uint32_t *idx, size_t base, int mb, int epoch,
                 const nn2_optim *o, int t, int nt, size_t next)
{
    nn2_net *net = tr->net;
    const nn2_kernels *k = tr->k;
    nn2_priv *p = &tr->priv[t];
    NN2_ASSERT(mb >= 1 && mb <= tr->m_max); /* (the buffers' rows) */
    NN2_PROF_BEGIN(&p->prof);
    nn2_ws wsl = tr->rep ? p->pws : tr->ws, *ws = &wsl;
    if (tr->lean) wsl.d[1] = p->hd; /* deltas stay with the thread that computes them */
    const unsigned par = p->parity++;
    const int in2h = tr->in2 && tr->rep; /* an in2 first layer by halves: its partial sums cross */
    if (tr->rep && !in2h) { /* only the first hidden layer's activations are shared, alternating */
        wsl.a[1] = par & 1u ? tr->a_alt : tr->ws.a[1];
        if (wsl.dropped[1]) wsl.dropped[1] = par & 1u ? tr->dropped_alt : tr->ws.dropped[1];
    }
    const int rown = nn2_trainer_rows_owned(tr, nt);
    if (rown) { /* nobody else reads this thread's hidden units */
        wsl.a[1] = p->ha;
        wsl.mask[1] = p->hmask;
        if (wsl.dropped[1]) wsl.dropped[1] = p->hin;
    } else if (tr->lean && (par & 1u)) {
        wsl.a[1] = tr->a_alt;
        if (wsl.dropped[1]) wsl.dropped[1] = tr->dropped_alt;
    }
    const int L = net->n_layers, nL = net->sizes[L];
    const nn2_drop drop = {tr->drop_seed, epoch, idx, base};
    /* (a block of a mini-batch trained in blocks: no update in the kernel, no lazy decay) */
    const int fused = o && !o->momentum && o->reg == NN2_REG_L2 && !parted(o);
    const blk out = layer_blk(tr, p, L - 1);
    int ldx, j0, j1, h0, h1;
    const float *x;
    struct { int j0, j1, h0, h1; } own[NN2_MAX_LAYERS]; /* this thread's work in hidden layer l */
    for (int l = 0; l + 1 < L; l++) nn2_trainer_share(tr, l, t, nt, &own[l].j0, &own[l].j1, &own[l].h0, &own[l].h1);
    for (int l = 1; tr->rep && l + 1 < L; l++) { /* every thread: all units after the first layer */
        own[l].j0 = 0;
        own[l].j1 = net->sizes[l + 1];
    }
    if (tr->single) { /* no hidden layer: its halves of the one layer's inputs */
        own[0].j0 = own[0].j1 = 0;
        nn2_trainer_halves(t, nt, &own[0].h0, &own[0].h1);
    }
    /* lazy decay (see the top): the first layer's s in this step (s0) and after it (s1), and
     * the deltas' factor dc; with a decay below 1/2 per step the kernel's epilogue applies it.
     * A step without it starts from s = 1 (folding a resumed checkpoint's s, say). */
    const int lazy = fused && o->decay >= 0.5f;
    /* how the first weight layer's gradient is applied (with no hidden layer, the output's) */
    const int upd0 = !fused ? UPD_OPTIM : lazy ? UPD_ADD : UPD_FUSED;
    if (!lazy && p->wscale != 1.0) {
        fold_own(tr, layer_blk(tr, p, 0), own[0].j0, own[0].j1, own[0].h0, own[0].h1, (float)p->wscale);
        p->wscale = 1.0;
    }
    const float s0 = (float)p->wscale;
    const double s1 = lazy ? p->wscale * (double)o->decay : 1.0;
    const float dc = lazy ? (float)(-(double)o->scale / s1) : 0.0f;

    int c0 = 0, c1 = net->sizes[0]; /* the inputs this thread reads: with a 2-slice layer or */
    if ((tr->tail && tr->nm == 0) || tr->single || in2h) /* none hidden, only those of its halves */
        half_inputs(tr, own[0].h0, own[0].h1, &c0, &c1);
    int x0 = 0;
    if (p->xn_rows > 0 && p->xn_base == base) { /* the first rows were converted in the step before */
        float *cur = p->x;
        p->x = p->xn;
        p->xn = cur;
        x0 = p->xn_rows;
    }
    p->xn_rows = 0;
    /* Pixels by chunks: on a mini-batch of 16 rows or more whose first layer is dense, plain and
     * its weights fit in L2, the rows are converted XCHUNK at a time, each just before the
     * forward product reads them, while they are in L1; otherwise all of them now. Writing a
     * whole mini-batch's floats (B3: 313 KB) runs at L2's speed and costs every thread the
     * same; by chunks part of it overlaps the product (measured: bench/HISTORY.md). The product's
     * elements are the same sums whatever rows a call computes (nn2_kernels.h). */
    const int chunked = mb >= 2 * XCHUNK && L >= 2 && !tr->single && !in2h && !tr->in2 &&
                        !(tr->sparse && (lazy || !fused)) && own[0].j1 > own[0].j0 &&
                        (size_t)net->sizes[0] * (size_t)(own[0].j1 - own[0].j0) < XCHUNK_MAX_W;
    if (!chunked) nn2_load_cols(k, p->x, net->sizes[0], &p->data, idx, base, x0, mb, c0, c1);
    for (int r = 0; r < mb; r++) p->labels[r] = nn2_data_label(&p->data, idx[base + (size_t)r]);
    /* the sparse first layer: the inputs [c0, c1) non-zero in some row of this mini-batch, for
     * its forward product and weight gradient (under the lazy decay the step changes only their
     * weights; momentum and L1 update every weight, from gradients zero elsewhere; not with
     * network2's step applied in the kernel, a decay below 1/2 per step, which scales every one) */
    nn2_xsel xsel = {0};
    const nn2_xsel *xs = NULL;
    if (tr->sparse && (lazy || !fused)) {
        xsel = (nn2_xsel){p->sel, k->nz_cols(mb, p->x, net->sizes[0], c0, c1, p->sel), 0};
        xs = &xsel;
    }
    NN2_PROF_MARK(&p->prof, NN2_PH_PIXELS);
    /* the next mini-batch's pixels: up to AHEAD_BURST cache lines at once, now (the most time to
     * arrive), or with a team's barrier after the forward pass while its flag crosses the cores
     * (window: the burst stalls on the core's miss buffers; there the stall overlaps the
     * hand-over); more, in shares during the first layer's gradient (ahead) */
    ahead f = {&p->data, idx, base + (size_t)mb, (int)next, 0, c0, c1};
    const int burst = (size_t)next * (size_t)((c1 - c0 + 63) / 64) <= AHEAD_BURST;
    /* in the barrier's window (below) */
    const int window = burst && (tr->lean || tr->rep || tr->single) && nt > 1;
    if (burst && !window) ahead_to(&f, f.n);
    /* forward through the hidden layers: this thread's units (single: its halves' sums) */
    for (int l = 0; l + 1 < L || (tr->single && l == 0); l++) {
        j0 = own[l].j0, j1 = own[l].j1, h0 = own[l].h0, h1 = own[l].h1;
        x = input_of(ws, p, l, &ldx);
        if (tr->single) {
            float *const P[2] = {group_part(tr, p, 0, par, 1), group_part(tr, p, 1, par, 1)};
            halves_forward(tr, nn2_layer_WT(net, 0), net->layer[0].ldw, net->sizes[1], x, ldx, xs, s0,
                           P, tr->ldp, h0, h1, mb);
        } else if (l == 0 && in2h) { /* its halves' partial sums, all units */
            float *const P[2] = {part_of(tr, par, 0), part_of(tr, par, 1)};
            halves_forward(tr, nn2_layer_WT(net, 0), net->layer[0].ldw, net->sizes[1], x, ldx, xs, s0,
                           P, tr->ldq, h0, h1, mb);
        } else if (l == 0 && tr->in2) { /* its units, each from the same two halves */
            if (j1 > j0) in2_units(tr, p, layer_blk(tr, p, 0), j0, j1, x, ldx, xs, s0, ws, mb);
            if (ws->dropped[1]) nn2_dropout_forward(k, net, ws, &drop, 1, mb, j0, j1);
        } else {
            const blk b = layer_blk(tr, p, l);
            const int timed = l == 0 && tr->bal_on; /* the balance's measure (trainer.c) */
            uint64_t tick = timed ? nn2_ticks() : 0;
            const int conv = l == 0 && chunked, cs = conv ? XCHUNK : mb, ldo = ws->ld[l + 1];
            for (int r = 0, e; r < mb; r = e) { /* rows by chunks, or all at once */
                e = mb - r < 2 * cs ? mb : r + cs; /* a last chunk of XCHUNK to 2 XCHUNK - 1 rows */
                /* the rows' pixels (if converted by chunks), then the tail's sums over them
                 * while they are in L1 (the product of the thread's units streams its weights
                 * through L1; after it the tail read them from L2: bench/HISTORY.md); neither in
                 * the balance's measure (the same on every thread, as before) */
                const uint64_t t0 = timed ? nn2_ticks() : 0;
                if (conv && e > x0)
                    nn2_load_cols(k, p->x, net->sizes[0], &p->data, idx, base, r > x0 ? r : x0, e, c0, c1);
                for (int h = h0; h < h1; h++) tail_sums(tr, x, ldx, l == 0 ? xs : NULL, s0, par, h, r, e);
                if (timed) tick += nn2_ticks() - t0;
                if (j1 > j0)
                    nn2_dense_forward(k, net, l, b.W + (j0 - b.u0), b.ld, l == 0 ? s0 : 1.0f,
                                      x + (size_t)r * ldx, ldx, l == 0 ? xs : NULL,
                                      ws->a[l + 1] + (size_t)r * ldo, ldo, e - r, j0, j1);
            }
            if (timed) p->bal_ticks += nn2_ticks() - tick;
            if (ws->dropped[l + 1] && j1 > j0) nn2_dropout_forward(k, net, ws, &drop, l + 1, mb, j0, j1);
            for (int h = h0; h < h1; h++) tail_forward(tr, ws, &drop, s0, par, h, mb);
            int lo, hi, u0, u1;
            if (rown && group_units(tr, t, &lo, &hi, &u0, &u1)) { /* this thread's group of the output
                                                                     layer's sums (its units, its half) */
                NN2_ASSERT(lo == j0 && hi == j1 && (u1 <= u0 || (h0 == tr->gh[t] && h1 == h0 + 1)));
                int ldm;
                const float *xm = input_of(ws, p, 1, &ldm);
                group_sums(tr, out.W, out.ld, xm, ldm, t, group_part(tr, p, t, par, 1),
                           group_part(tr, p, 2, par, 0), mb);
            }
        }
        NN2_PROF_MARK(&p->prof, NN2_PH_FORWARD);
        if (tr->rep && l > 0) continue; /* rep: one barrier, after the first layer */
        /* window: while this thread's flag crosses to the other core, it asks for the next
         * mini-batch's pixels and converts their first rows (the first lines asked for), as many
         * as EARLY_FLOATS holds (B1's with 4 rows took 3% longer: bench/HISTORY.md); more would
         * push this step's inputs out of L1 before the gradient reads them */
        nn2_bar_arrive(&tr->bar, t, nt, &p->episode);
        if (window) {
            ahead_to(&f, f.n);
            const int early = EARLY_FLOATS / (c1 > c0 ? c1 - c0 : 1);
            p->xn_rows = (int)next < early ? (int)next : early;
            nn2_load_cols(k, p->xn, net->sizes[0], &p->data, idx, base + (size_t)mb, 0, p->xn_rows, c0, c1);
            p->xn_base = base + (size_t)mb;
        }
        NN2_PROF_MARK(&p->prof, NN2_PH_WINDOW);
        nn2_bar_finish(&tr->bar, t, nt, &p->episode);
        NN2_PROF_MARK(&p->prof, NN2_PH_WAIT);
        if (window) sums_ahead(tr, p, par, rown, mb);
        if (tr->single) break; /* (every rank computes all of it) */
        if (l == 0 && in2h) { /* all of the layer from the two halves, in the thread's buffers */
            tail_finish(tr, ws, &drop, par, mb);
            continue;
        }
        if (!tr->lean && nt > 1) /* the next layer reads all units, the others' just written */
            prefetch_floats(input_of(ws, p, l + 1, &ldx), (size_t)mb * (size_t)ldx);
        if (tr->ranks > 1) { /* the next layer's input, every unit of it */
            if (t == 0 && !tr->tt && nn2_trainer_holds_tail(tr)) tail_finish(tr, ws, &drop, par, mb);
            exchange(tr, ws->dropped[l + 1] ? ws->dropped[l + 1] : ws->a[l + 1], mb, ws->ld[l + 1],
                     net->sizes[l + 1], t);
            nn2_bar_wait(&tr->bar, t, nt, &p->episode);
        }
    }
    /* hv: the hidden layer as the output layer sees it. A tt tail is in it already (its halves'
     * owners wrote their units like the others). Another tail: one thread alone (or thread 0 of
     * the rank that holds it, before the exchange) finishes it in the shared buffers; with
     * rows_owned each thread in its own ones (ws), which the output layer reads only at its
     * group's and the tail's columns; else every thread copies the shared columns and finishes
     * the tail for itself. */
    nn2_ws hv = *ws;
    if (tr->tail && !tr->tt) {
        if (tr->ranks == 1 && (nt == 1 || rown)) {
            tail_finish(tr, &hv, &drop, par, mb);
        } else if (tr->ranks == 1) {
            const int nm = tr->nm, ld = ws->ld[1];
            const float *in = ws->dropped[1] ? ws->dropped[1] : ws->a[1];
            for (int r = 0; r < mb; r++)
                memcpy(p->hin + (size_t)r * ld, in + (size_t)r * ld, sizeof(float) * (size_t)nm);
            hv.a[1] = p->ha;
            hv.mask[1] = p->hmask;
            hv.dropped[1] = ws->dropped[1] ? p->hin : NULL;
            tail_finish(tr, &hv, &drop, par, mb);
        }
    }
    /* the output layer and BP1: redundantly in every thread, or with split_out each thread its
     * rows of it, for all the threads to read after a barrier */
    x = input_of(&hv, p, L - 1, &ldx);
    const float *dout = p->dout;
    if (tr->split_out) {
        int q0, q1;
        nn2_split(mb, nt, t, &q0, &q1);
        float *zq = tr->sout + (size_t)q0 * nL, *dq = tr->sdout + (size_t)q0 * nL;
        if (q1 > q0 && !out_forward(tr, p, &out, x + (size_t)q0 * ldx, ldx, par, 0, q1 - q0, p->labels + q0, zq, dq))
            nn2_cost_delta(k, &net->arch, dq, zq, p->labels + q0, q1 - q0, nL);
        NN2_PROF_MARK(&p->prof, NN2_PH_OUTPUT);
        nn2_bar_wait(&tr->bar, t, nt, &p->episode);
        NN2_PROF_MARK(&p->prof, NN2_PH_WAIT);
        dout = tr->sdout;
    } else {
        int bp1 = 0;
        if (tr->lean) {
            bp1 = out_forward(tr, p, &out, x, ldx, par, rown, mb, p->labels, p->out, p->dout);
        } else if (tr->single) { /* z = (P0 + P1) + 0, P0 with the biases */
            const float *P[2] = {group_part(tr, p, 0, par, 1), group_part(tr, p, 1, par, 1)};
            bp1 = out_finish(tr, 2, P, tr->zb, mb, p->labels, p->out, p->dout);
        } else
            nn2_dense_forward(k, net, L - 1, out.W, out.ld, 1.0f, x, ldx, NULL, p->out, nL, mb, 0, nL);
        if (!bp1) nn2_cost_delta(k, &net->arch, p->dout, p->out, p->labels, mb, nL);
    }
    /* the first layer's deltas: by panels (pk, grad_tn's layout) where its gradient reads them
     * so, and there BP2 writes them, panel by panel, instead of at the activations' stride (B4
     * on 2 threads, in a harness with the rows in L3: BP2 and a copy into the panels, as the
     * sixtieth to sixty-third sessions made, 33.5-35.1 us; directly 15.5-15.7 us;
     * bench/HISTORY.md) */
    float *pk = NULL;
    {
        const int n0 = own[0].j1 - own[0].j0;
        if (p->dpk && L >= 2 && !in2h && n0 > 0 &&
            by_panels(grad_sel(tr, upd0, xs, n0, mb), n0, mb))
            pk = p->dpk;
    }
    /* BP2 for this thread's hidden units, last hidden layer first */
    for (int l = L - 1; l >= 1; l--) {
        if (l < L - 1 && !tr->rep) {
            nn2_bar_wait(&tr->bar, t, nt, &p->episode);
            if (nt > 1) prefetch_floats(ws->d[l + 1], (size_t)mb * (size_t)ws->ld[l + 1]); /* as above */
            if (tr->ranks > 1) { /* all of the next layer's deltas */
                exchange(tr, ws->d[l + 1], mb, ws->ld[l + 1], net->sizes[l + 1], t);
                nn2_bar_wait(&tr->bar, t, nt, &p->episode);
            }
        }
        j0 = own[l - 1].j0, j1 = own[l - 1].j1, h0 = own[l - 1].h0, h1 = own[l - 1].h1;
        const float *dn = l == L - 1 ? dout : ws->d[l + 1];
        /* with the biases' gradients (BP3) summed on the way, and the first layer's deltas
         * scaled for the lazy decay (its weights' update adds x^T . delta); an in2 layer by
         * halves: all of its deltas, its biases' gradient by half 0's owner */
        const float sc = lazy && l == 1 ? dc : 1.0f;
        float *bsum = bias_grad(tr, layer_blk(tr, p, l - 1), l - 1, j0);
        if (l == 1 && in2h) {
            j0 = 0;
            j1 = net->sizes[1];
            bsum = h0 == 0 && h1 > 0 ? bias_grad(tr, layer_blk(tr, p, 0), 0, 0) : NULL;
        }
        const float *Wl = layer_blk(tr, p, l).W;
        const int ldn = l == L - 1 ? nL : ws->ld[l + 1];
        float *bs = bsum_at(o, p, bsum);
        if (l == 1 && pk) /* by panels: each unit's deltas and column sum as in one call */
            for (int j = j0; j < j1; j += NN2_PACK_W) {
                const int w = j1 - j < NN2_PACK_W ? j1 - j : NN2_PACK_W;
                nn2_dense_backward_delta(k, net, ws, 1, 1, Wl, dn, ldn, mb, j, j + w,
                                         pk + (size_t)(j - j0) * (size_t)mb, w, p->scratch,
                                         bs ? bs + (j - j0) : NULL, sc);
            }
        else
            nn2_dense_backward_delta(k, net, ws, 1, l, Wl, dn, ldn, mb, j0, j1, ws->d[l] + j0,
                                     ws->ld[l], p->scratch, bs, sc);
        if (j1 > j0) bsum_done(o, p, bsum, j1 - j0);
        if (h1 > h0 && tr->tail) tail_deltas(tr, o, p, &hv, out.W, dn, mb, h0, h1, sc); /* lean */
    }
    if (!tr->lean && !tr->rep && !tr->single) nn2_bar_wait(&tr->bar, t, nt, &p->episode);
    NN2_PROF_MARK(&p->prof, NN2_PH_OUTPUT);
    /* The output layer's gradient and update first, while the hidden activations that BP2 has
     * just read are in L2: after the first layer's gradient, which streams that layer's weights,
     * inputs and deltas through L2, B4's came from L3 (measured: bench/HISTORY.md). No thread
     * reads the rows this one updates before the step's end (BP2, the one reader of the output
     * layer's weights, is done on every thread: its own copy or rows, or after the barrier
     * above), and the other updates are of other parameters: the same operations on the same
     * numbers as in the order before. Its weight rows: lean, all of them into this thread's
     * copy, or with rows_owned its group's and the tail's (with tt, its half's); else those of
     * this thread's last hidden units with one rank, and a share of all of them (every rank
     * updates all) with several. */
    int r0 = 0, r1 = net->sizes[L - 1];
    if (tr->single) /* (its halves' rows below; the biases: thread 0, half 0's owner) */
        r0 = r1 = 0;
    else if (!tr->lean && !tr->rep)
        nn2_split16(net->sizes[L - 1], nt, t, &r0, &r1);
    x = input_of(&hv, p, L - 1, &ldx);
    if (rown) {
        grad_block(tr, o, fused ? UPD_FUSED : UPD_OPTIM, NULL, out, own[0].j0, own[0].j1, 0, nL, x,
                   ldx, p->dout, nL, mb, NULL, NULL, NULL);
        r0 = tr->gm; /* the tail's rows, updated by both threads in their copies */
        if (tr->tt) tail_cols(tr, own[0].h0, own[0].h1, &r0, &r1);
    }
    if (tr->split_out) { /* the rows of its hidden units, in the arena; the biases: thread 0 */
        r0 = own[0].j0;
        r1 = own[0].j1;
        int u0, u1; /* and those of its halves of a transposed tail */
        tail_cols(tr, own[0].h0, own[0].h1, &u0, &u1);
        if (u1 > u0)
            grad_block(tr, o, fused ? UPD_FUSED : UPD_OPTIM, NULL, out, u0, u1, 0, nL, x, ldx, dout,
                       nL, mb, NULL, NULL, NULL);
    }
    grad_block(tr, o, fused ? UPD_FUSED : UPD_OPTIM, NULL, out, r0, r1, 0, nL, x, ldx, dout, nL, mb,
               NULL, NULL, NULL);
    if (((tr->lean || tr->rep) && !tr->split_out) || t == 0)
        grad_bias(tr, o, p, out, L - 1, 0, nL, dout, nL, mb);
    /* gradients and updates of the parameters this thread owns: the biases, whose gradients BP2
     * summed, then the weights (from deltas that BP2 scaled for the lazy decay) */
    for (int l = 0; l + 1 < L; l++) {
        j0 = own[l].j0, j1 = own[l].j1, h0 = own[l].h0, h1 = own[l].h1;
        x = input_of(ws, p, l, &ldx);
        const blk b = layer_blk(tr, p, l);
        float *d = ws->d[l + 1];
        const int ldd = ws->ld[l + 1], upd = l == 0 ? upd0 : fused ? UPD_FUSED : UPD_OPTIM;
        grad_bias(tr, o, p, b, l, j0, j1, NULL, ldd, mb); /* summed by BP2 */
        for (int h = h0; h < h1 && tr->tail; h++) /* tt: each half's biases; else all in half 0 */
            if (tr->tt || h == 0) tail_bias(tr, o, h);
        if (l == 0 && in2h) { /* the rows of its halves, all units; half 0's owner the biases */
            if (h0 == 0 && h1 > 0) grad_bias(tr, o, p, b, 0, 0, net->sizes[1], NULL, ldd, mb);
            halves_grad(tr, o, upd, &f, b, h0, h1, net->sizes[1], x, ldx, d, ldd, xs, mb);
            continue;
        }
        const int timed = l == 0 && tr->bal_on;
        const uint64_t tick = timed ? nn2_ticks() : 0;
        /* a transposed tail's halves chunk by chunk beside the thread's units, over every input
         * (not in the balance's measure: after it, as before) */
        const int beside = l == 0 && tr->tail && tr->tt && h1 > h0 && j1 > j0 && !timed;
        const tjob tj = {h0, h1, p->hd, ldd};
        if (j1 > j0)
            grad_block(tr, o, upd, l == 0 ? &f : NULL, b, 0, net->layer[l].n_in, j0, j1, x, ldx,
                       d + j0, ldd, mb, l == 0 ? xs : NULL, l == 0 ? pk : NULL,
                       beside ? &tj : NULL);
        if (timed) {
            p->bal_ticks += nn2_ticks() - tick;
            p->bal_steps++;
        }
        for (int h = h0; h < h1 && tr->tail && !beside; h++) /* lean: the tail's inputs of a half */
            tail_grad(tr, o, upd, &f, h, x, ldx, l == 0 ? xs : NULL, p->hd, ldd, mb);
    }
    if (tr->single) { /* the weight rows of its halves, which nobody else reads (the lazy
                         decay's deltas scaled here, as BP2 scales a hidden layer's) */
        x = input_of(&hv, p, 0, &ldx);
        const float *d = dout;
        if (lazy) {
            for (int i = 0; i < mb * nL; i++) p->scratch[i] = dout[i] * dc;
            d = p->scratch;
        }
        halves_grad(tr, o, upd0, &f, out, own[0].h0, own[0].h1, nL, x, ldx, d, nL, xs, mb);
    }
    if (lazy) {
        p->wscale = s1;
        if (s1 < WSCALE_MIN) { /* fold now: the stored weights would outgrow the true ones */
            fold_own(tr, layer_blk(tr, p, 0), own[0].j0, own[0].j1, own[0].h0, own[0].h1, (float)s1);
            p->wscale = 1.0;
        }
    }
    ahead_to(&f, f.n); /* the rest (a thread without units of the first layer: all) */
    if (!tr->lean && !tr->rep && !tr->single) {
        /* the next step's forward (or exchange) would overwrite what these updates still read */
        nn2_bar_wait(&tr->bar, t, nt, &p->episode);
        if (tr->ranks > 1 && (!o || !o->acc_more)) {
            /* BP2 reads whole rows of the hidden-to-hidden weights: every rank needs all of them
             * (not after a block that updated nothing: every rank skips it alike) */
            if (t == 0)
                for (int l = 1; l + 1 < L; l++)
                    nn2_dist_gather_cols(tr->dist, nn2_layer_WT(net, l), net->layer[l].n_in,
                                         net->layer[l].ldw, net->layer[l].n_out, 1);
            nn2_bar_wait(&tr->bar, t, nt, &p->episode);
        }
    }
    NN2_PROF_MARK(&p->prof, NN2_PH_UPDATE);
    NN2_PROF_STEP(&p->prof);
}

/* The blocks of a mini-batch of mb samples: 1 when its rows fit the buffers, else ceil(mb /
 * block); block b is samples [cut(b), cut(b + 1)). */
static int n_blocks(const nn2_trainer *tr, size_t mb)
{
    return mb > (size_t)tr->m_max ? (int)((mb + (size_t)tr->block - 1) / (size_t)tr->block) : 1;
}

static int cut(size_t mb, int nb, int b)
{
    return (int)(mb * (size_t)b / (size_t)nb);
}

void nn2_trainer_minibatch(nn2_trainer *tr, const uint32_t *idx, size_t base, int mb, int epoch,
                           const nn2_optim *o, int t, int nt, size_t next)
{
    if (tr->ranks > 1 && t == 0) tr->dist->steps++; /* (the traffic's count: mini-batches) */
    const int nb = n_blocks(tr, (size_t)mb);
    NN2_ASSERT(nb == 1 || (o && tr->blocked));
    nn2_optim ob = nb > 1 ? *o : (nn2_optim){0};
    for (int b = 0; b < nb; b++) {
        const int r0 = cut((size_t)mb, nb, b), r1 = cut((size_t)mb, nb, b + 1);
        const size_t after = b + 1 < nb ? (size_t)(cut((size_t)mb, nb, b + 2) - r1)
                             : next     ? (size_t)cut(next, n_blocks(tr, next), 1)
                                        : 0; /* the next block's size */
        ob.acc_in = b > 0;
        ob.acc_more = b + 1 < nb;
        nn2_trainer_step(tr, idx, base + (size_t)r0, r1 - r0, epoch, nb > 1 ? &ob : o, t, nt, after);
    }
}
