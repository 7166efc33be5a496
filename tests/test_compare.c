/* test_compare.c - engine/compare.c: a model against its quantized copy.
 *
 * Where the numbers come from:
 *   - ../shared/models/stories260K-gguf/stories260K-{f32,q4_0}.reference.json: an independent
 *     PyTorch forward pass over each file's weights as ggml dequantizes them (README there):
 *     each position's loss of the actual next token, the logit lens (its last block's top-1
 *     is the model's own top-1 at every position) and the top-10 at the last position.
 *     From these the test takes the per-position loss change, the top-1 agreement (and the
 *     two flips on "Lily and Tom went to the park. They saw a big": position 1 and the last
 *     one, where F32 says ' b' and Q4_0 says ','), and a lower bound of the last position's
 *     KL (the KL of the distributions grouped into the ids both top-10s list and the rest:
 *     grouping never raises a KL).
 *   - the test's own KL from the traces' probabilities (Trace_probs_row, float softmax),
 *     and the residual drift summed here in float;
 *   - the engine's F32 run of a dequantized copy of the Q4_0 model (every matrix turned into
 *     F32 rows here with Quant_dequant_row, so the forward pass takes the sgemm path instead
 *     of the quantized kernels): its KL against F32 must be the comparison's KL.
 *   - for the weights' blocks (engine/qblock.c): the Q4_0 reference's dequantized_checks (the
 *     first 8 dequantized values of several tensors, as ggml's to_float gives them) and its
 *     max_abs_quantization_error_by_type (the largest |dequantized - original float32| over all
 *     tensors of each type; the original is the F32 file's tensor): both exactly, since they are
 *     float32 values and differences of float32 values;
 * Tolerances: losses 1e-4 relative to max(1,|loss|) against PyTorch (the project's bound for
 * float32 sums in another order); KLs 1e-5 + 1e-3 relative, because the KL is a sum of V
 * products p·(log p - log q) of float probabilities (1e-7 relative each) and the two forward
 * paths' logits differ by float rounding (~1e-6 of their size, logits reach ~15).
 */
#include "check.h"
#include "refjson.h"

#include "engine/compare.h"
#include "engine/qblock.h"
#include "engine/quant.h"
#include "engine/trace.h"

#include <stdlib.h>
#include <string.h>

static const char *LILY = "Lily and Tom went to the park. They saw a big";

static Model *open_gguf(const char *name, char *err) {
    char p[1024];
    snprintf(p, sizeof p, "%s/models/stories260K-gguf/%s.gguf", shared_dir(), name);
    Model *m = Model_open(p, NULL, err);
    if (!m) fail("open model", "%s", err);
    return m;
}

static cJSON *ref_prompt(const char *name, const char *text, cJSON **root) {
    char p[1024];
    snprintf(p, sizeof p, "%s/models/stories260K-gguf/%s.reference.json", shared_dir(), name);
    *root = refjson_load(p);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(*root, "prompts"))
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "text")) ? cJSON_GetStringValue(cJSON_GetObjectItem(e, "text")) : "", text) == 0)
            return (cJSON *)e;
    fail("reference prompt", "%s has no prompt \"%s\"", p, text);
    return NULL;
}

/* Every matrix of m as F32 rows (m is changed in place; the floats are in *owned). */
static int dequantize_model(Model *m, float ***owned, int *n_owned) {
    int cap = 2 + m->c.n_layers * Model_n_layer_slots, n = 0;
    float **own = calloc((size_t)cap, sizeof *own);
    Linear *list[256];
    int nl = 0;
    list[nl++] = &m->tok_emb;
    list[nl++] = &m->lm_head;
    for (int l = 0; l < m->c.n_layers; l++)
        for (int i = 0; i < Model_n_layer_slots; i++)
            if (Model_layer_slots[i].matrix && nl < 256)
                list[nl++] = (Linear *)(void *)((char *)&m->layers[l] + Model_layer_slots[i].offset);
    for (int i = 0; i < nl; i++) {
        Linear *W = list[i];
        if (W->w || !W->q) continue;   /* already F32, or absent */
        float *f = malloc(sizeof(float) * (size_t)W->in * (size_t)W->out);
        if (!f) return -1;
        for (int r = 0; r < W->out; r++)
            Quant_dequant_row(W->type, (const char *)W->q + (size_t)r * W->row_bytes, f + (size_t)r * W->in, W->in);
        *W = Linear_f32(f, W->in, W->out, 1);
        own[n++] = f;
    }
    *owned = own;
    *n_owned = n;
    return 0;
}

/* KL(P||Q) from float probabilities, summed in double (terms with p = 0 add nothing) */
static double kl_probs(const float *p, const float *q, int V) {
    double s = 0;
    for (int i = 0; i < V; i++)
        if (p[i] > 0) s += (double)p[i] * (log((double)p[i]) - log((double)q[i]));
    return s;
}

static double kl_tol(double kl) { return 1e-5 + 1e-3 * kl; }

static void test_lily(void) {
    char err[SW_ERR_LEN];
    Model *f = open_gguf("stories260K-f32", err), *q = open_gguf("stories260K-q4_0", err);
    if (!f || !q) { Model_free(f); Model_free(q); return; }
    expect(Compare_check(f, q, err) == 0, "compare: F32 and Q4_0 of stories260K are comparable", "%s", err);
    Trace *tf = Trace_run(f, &LILY, 1, NULL, err);
    Trace *tq = tf ? Compare_run(q, tf, NULL, err) : NULL;
    Compare *c = tq ? Compare_build(tf, tq, err) : NULL;
    if (!c) { fail("compare: build", "%s", err); goto out; }
    const int T = c->len[0], V = f->c.vocab_size;
    expect(T == 17 && c->T == 17 && c->B == 1 && c->L == 5, "compare: 17 positions, 1 row, 5 blocks", "T=%d", T);

    /* (1) the test's own KL from the two traces' probabilities */
    float *pf = malloc(sizeof(float) * (size_t)V), *pq = malloc(sizeof(float) * (size_t)V);
    double worst = 0, sum = 0;
    for (int t = 0; t < T; t++) {
        Trace_probs_row(tf, 0, t, 1, pf);
        Trace_probs_row(tq, 0, t, 1, pq);
        double k = kl_probs(pf, pq, V);
        sum += k;
        double d = fabs(k - c->kl[Compare_at(c, 0, t)]) / kl_tol(k);
        if (!(d <= worst)) worst = d;
    }
    expect(worst <= 1, "compare: per-position KL = the test's own KL from the traces' probabilities", "worst %.3g of the tolerance", worst);
    expect(fabs(sum / T - c->mean_kl) <= kl_tol(sum / T), "compare: mean KL", "%.6f against %.6f", c->mean_kl, sum / T);
    expect(c->mean_kl > 0.01 && c->max_kl < 5, "compare: Q4_0 is measurably but not wildly off F32", "mean KL %.4f, max %.4f", c->mean_kl, c->max_kl);

    /* (2) against the references: losses, top-1 at every position, the flips */
    cJSON *rf_root, *rq_root;
    const cJSON *rf = ref_prompt("stories260K-f32", LILY, &rf_root), *rq = ref_prompt("stories260K-q4_0", LILY, &rq_root);
    if (rf && rq) {
        const cJSON *nf = cJSON_GetObjectItem(rf, "next_token_probs"), *nq = cJSON_GetObjectItem(rq, "next_token_probs");
        int n = 0, ok = 1;
        double sref = 0, sq = 0;
        for (int t = 0; t + 1 < T; t++) {
            double lf = refjson_num(cJSON_GetArrayItem(nf, t), "loss"), lq = refjson_num(cJSON_GetArrayItem(nq, t), "loss");
            int i = Compare_at(c, 0, t);
            double dl = c->loss_q[i] - c->loss_ref[i];
            if (!(fabs(c->loss_ref[i] - lf) <= 1e-4 * fmax(1, lf) && fabs(c->loss_q[i] - lq) <= 1e-4 * fmax(1, lq) &&
                  fabs(dl - (lq - lf)) <= 2e-4 * fmax(1, fmax(lf, lq)))) {
                if (ok) fail("compare: per-position loss and Δloss = the references'", "position %d: %.5f %.5f against %.5f %.5f", t, c->loss_ref[i], c->loss_q[i], lf, lq);
                ok = 0;
            }
            sref += lf;
            sq += lq;
            n++;
        }
        if (ok) pass("compare: per-position loss and Δloss = the references'");
        expect(c->n_loss == 16 && fabs(c->dloss - (sq - sref) / n) <= 2e-4 && fabs(c->ppl_q - c->ppl_ref - (exp(sq / n) - exp(sref / n))) <= 1e-3 * exp(sq / n),
               "compare: Δ mean loss and Δ perplexity = the references'", "Δloss %.5f against %.5f", c->dloss, (sq - sref) / n);
        /* the logit lens after the last block is the model's own prediction */
        const cJSON *lf = cJSON_GetArrayItem(cJSON_GetObjectItem(rf, "logit_lens_top1"), 4);
        const cJSON *lq = cJSON_GetArrayItem(cJSON_GetObjectItem(rq, "logit_lens_top1"), 4);
        int agree = 0, same_top = 1;
        for (int t = 0; t < T; t++) {
            int a = (int)refjson_num(cJSON_GetArrayItem(lf, t), "id"), b = (int)refjson_num(cJSON_GetArrayItem(lq, t), "id");
            agree += a == b;
            int i = Compare_at(c, 0, t);
            if (c->top_ref[i] != a || c->top_q[i] != b) same_top = 0;
        }
        expect(same_top, "compare: each model's top-1 at every position = the references'", " ");
        expect(c->n_agree == agree && agree == 15 && c->n_pos == 17 && fabs(c->agree - 15.0 / 17) < 1e-12,
               "compare: top-1 agreement 15/17 as in the references", "%d/%d (references %d)", c->n_agree, c->n_pos, agree);
        expect(c->flip_b == 0 && c->flip_t == 1, "compare: the first flip is at position 1", "at %d,%d", c->flip_b, c->flip_t);
        int li = Compare_at(c, 0, T - 1);
        expect(c->top_ref[li] == 268 && c->top_q[li] == 432, "compare: after 'a big' F32 says ' b' (268), Q4_0 ',' (432)", "%d %d", c->top_ref[li], c->top_q[li]);
        /* KL at the last position against the grouped top-10s */
        const cJSON *tf10 = cJSON_GetObjectItem(rf, "top10"), *tq10 = cJSON_GetObjectItem(rq, "top10");
        double kp = 0, kq = 0, bound = 0;
        const cJSON *a, *b;
        int shared = 0;
        cJSON_ArrayForEach(a, tf10) cJSON_ArrayForEach(b, tq10)
            if (refjson_num(a, "id") == refjson_num(b, "id")) {
                double p = refjson_num(a, "prob"), qq = refjson_num(b, "prob");
                bound += p * log(p / qq);
                kp += p;
                kq += qq;
                shared++;
            }
        bound += (1 - kp) * log((1 - kp) / (1 - kq));
        expect(shared >= 8 && c->kl[li] >= bound - kl_tol(bound) && bound > 0.01,
               "compare: last position's KL is at least the references' grouped top-10 KL", "%.5f against the bound %.5f (%d shared ids)", c->kl[li], bound, shared);
    }
    cJSON_Delete(rf_root);
    cJSON_Delete(rq_root);

    /* (3) the engine's F32 run of a dequantized copy of the Q4_0 file */
    {
        Model *dq = open_gguf("stories260K-q4_0", err);
        float **own = NULL;
        int n_own = 0;
        if (dq && dequantize_model(dq, &own, &n_own) == 0) {
            Trace *td = Trace_run(dq, &LILY, 1, NULL, err);
            Compare *cd = td ? Compare_build(tf, td, err) : NULL;
            double w = 0, wr = 0;
            for (int t = 0; cd && t < T; t++) {
                double k = c->kl[Compare_at(c, 0, t)], kd = cd->kl[Compare_at(cd, 0, t)];
                double d = fabs(k - kd) / kl_tol(k);
                if (!(d <= w)) w = d;
                for (int s = 0; s <= c->L; s++) {
                    double r = c->rel[Compare_sat(c, s, 0, t)], rd = cd->rel[Compare_sat(cd, s, 0, t)];
                    double e = fabs(r - rd) / (1e-5 + 1e-3 * r);
                    if (!(e <= wr)) wr = e;
                }
            }
            expect(cd && n_own >= 30 && w <= 1, "compare: KL = the KL of the engine's F32 run of a dequantized copy", "worst %.3g of the tolerance (%d matrices)", w, n_own);
            expect(cd && wr <= 1, "compare: residual drift = the dequantized copy's", "worst %.3g of the tolerance", wr);
            expect(cd && cd->n_agree == c->n_agree, "compare: the dequantized copy flips the same positions", " ");
            Compare_free(cd);
            Trace_free(td);
        } else {
            fail("compare: dequantized copy", "%s", err);
        }
        Model_free(dq);
        for (int i = 0; i < n_own; i++) free(own[i]);
        free(own);
    }

    /* (4) residual drift: the test's own sums at the last position, and the drift grows */
    {
        int t = T - 1, ok = 1;
        for (int s = 0; s <= c->L; s++) {
            const float *x = Trace_resid(tf, s, 0, t), *y = Trace_resid(tq, s, 0, t);
            float dd = 0, xx = 0, xy = 0, yy = 0;
            for (int d = 0; d < f->c.dim; d++) {
                dd += (y[d] - x[d]) * (y[d] - x[d]);
                xx += x[d] * x[d];
                yy += y[d] * y[d];
                xy += x[d] * y[d];
            }
            double r = sqrtf(dd / xx), co = xy / sqrtf(xx * yy);
            int j = Compare_sat(c, s, 0, t);
            /* float sums of 64 terms: 1e-5 relative */
            if (fabs(r - c->rel[j]) > 1e-5 * (1 + r) || fabs(co - c->cos[j]) > 1e-5) ok = 0;
        }
        expect(ok, "compare: relative error and cosine = the test's own sums", " ");
        expect(c->mean_rel[0] > 0 && c->mean_rel[c->L] > 2 * c->mean_rel[0] && c->cos[Compare_sat(c, c->L, 0, t)] > 0.9,
               "compare: the drift grows through the blocks (Q8_0 embedding, Q4_0 blocks)", "%.4f -> %.4f", c->mean_rel[0], c->mean_rel[c->L]);
    }
    free(pf);
    free(pq);
out:
    Compare_free(c);
    Trace_free(tq);
    Trace_free(tf);
    Model_free(f);
    Model_free(q);
}

/* a batch of rows of different lengths: each row's figures are those of the row alone */
static void test_batch(void) {
    char err[SW_ERR_LEN];
    Model *f = open_gguf("stories260K-f32", err), *q = open_gguf("stories260K-q4_0", err);
    if (!f || !q) { Model_free(f); Model_free(q); return; }
    const char *two[2] = {LILY, "The cat sat"};
    Trace *tf2 = Trace_run(f, two, 2, NULL, err), *tf1 = Trace_run(f, &two[1], 1, NULL, err);
    Trace *tq2 = tf2 ? Compare_run(q, tf2, NULL, err) : NULL, *tq1 = tf1 ? Compare_run(q, tf1, NULL, err) : NULL;
    Compare *c2 = tq2 ? Compare_build(tf2, tq2, err) : NULL, *c1 = tq1 ? Compare_build(tf1, tq1, err) : NULL;
    int ok = c1 && c2 && c2->B == 2 && c2->len[0] == 17 && c2->len[1] == 6 && c1->len[0] == 6 && c2->n_pos == 23;
    for (int t = 0; ok && t < 6; t++) {
        int i2 = Compare_at(c2, 1, t), i1 = Compare_at(c1, 0, t);
        ok = fabs(c2->kl[i2] - c1->kl[i1]) <= kl_tol(c1->kl[i1]) && c2->top_q[i2] == c1->top_q[i1] && c2->top_ref[i2] == c1->top_ref[i1] &&
             fabs(c2->rel[Compare_sat(c2, 5, 1, t)] - c1->rel[Compare_sat(c1, 5, 0, t)]) <= 1e-5 + 1e-3 * c1->rel[Compare_sat(c1, 5, 0, t)];
    }
    expect(ok, "compare: a batch of two rows (17 and 6 tokens): the short row's figures are its own", "%s", c2 && c1 ? "" : err);
    Compare_free(c1);
    Compare_free(c2);
    Trace_free(tq1);
    Trace_free(tq2);
    Trace_free(tf1);
    Trace_free(tf2);
    Model_free(f);
    Model_free(q);
}

static void test_self(void) {
    char err[SW_ERR_LEN];
    Model *f = open_gguf("stories260K-f32", err);
    if (!f) return;
    Trace *a = Trace_run(f, &LILY, 1, NULL, err);
    Trace *b = a ? Compare_run(f, a, NULL, err) : NULL;
    Compare *c = b ? Compare_build(a, b, err) : NULL;
    expect(c && c->mean_kl == 0 && c->n_agree == c->n_pos && c->dloss == 0 && c->mean_rel[c->L] == 0 && c->flip_t == -1,
           "compare: a model against itself: KL 0, all agree, no drift", "%s", c ? "" : err);
    Compare_free(c);
    Trace_free(b);
    Trace_free(a);
    Model_free(f);
}

/* A copy of tokenizer t with token `changed` written as `piece` (or no change when changed < 0). */
static Tokenizer *copy_tokenizer(const Tokenizer *t, int changed, const char *piece, char *err) {
    int V = Tokenizer_vocab_size(t);
    const char **toks = calloc((size_t)V, sizeof *toks);
    for (int i = 0; i < V; i++) toks[i] = i == changed ? piece : Tokenizer_symbol(t, i);
    TokVocab v;
    TokVocab_init(&v);
    v.source = "test";
    v.tokens = toks;
    v.n_tokens = (size_t)V;
    Tokenizer *r = Tokenizer_from_spm(&v, err);
    free(toks);
    return r;
}

static void test_refusals(void) {
    char err[SW_ERR_LEN], p[1024];
    Model *f = open_gguf("stories260K-f32", err);
    if (!f) return;
    snprintf(p, sizeof p, "%s/models/tiny-smollm-gguf/tiny-smollm.gguf", shared_dir());
    err[0] = 0;
    Model *s = Compare_open(f, p, NULL, err);
    expect(!s && strstr(err, "tiny-smollm.gguf") && strstr(err, "stories260K-f32.gguf") && strstr(err, "shapes differ") && !strchr(err, '\n'),
           "compare: another shape is refused with one line naming both files", "%s", s ? "accepted" : err);
    Model_free(s);
    /* the same shapes, another tokenizer: a copy of the model whose vocabulary differs */
    Model *g = open_gguf("stories260K-q8_0", err);
    if (g) {
        Tokenizer *same = copy_tokenizer(g->tok, -1, NULL, err);
        Tokenizer *orig = g->tok;
        g->tok = same;
        expect(same && Compare_check(f, g, err) == 0, "compare: a rebuilt copy of the same vocabulary is accepted", "%s", err);
        Tokenizer_free(same);
        Tokenizer *other = copy_tokenizer(orig, 300, "\xe2\x96\x81zebra", err);
        g->tok = other;
        err[0] = 0;
        expect(other && Compare_check(f, g, err) != 0 && strstr(err, "tokenizers differ") && strstr(err, "token 300") && !strchr(err, '\n'),
               "compare: one different token piece is refused, naming the token", "%s", err);
        Tokenizer_free(other);
        g->tok = orig;
    }
    Model_free(g);
    Model_free(f);
}

static void test_blocks(void) {
    char err[SW_ERR_LEN], name[96];
    Model *f = open_gguf("stories260K-f32", err), *q = open_gguf("stories260K-q4_0", err);
    cJSON *root = NULL;
    if (!f || !q) goto out;
    char p[1024];
    snprintf(p, sizeof p, "%s/models/stories260K-gguf/stories260K-q4_0.reference.json", shared_dir());
    root = refjson_load(p);
    const cJSON *checks = cJSON_GetObjectItem(root, "dequantized_checks");
    const cJSON *maxerr = cJSON_GetObjectItem(root, "max_abs_quantization_error_by_type");
    int n = Model_n_matrices(q);
    expect(n == 1 + 5 * 7 && Model_n_matrices(f) == n, "qblock: 36 matrices (tied head), the same in both files", "%d", n);
    int codes_ok = 1, first8_ok = 1, n_first8 = 0;
    double worst_q4 = 0, worst_q8 = 0;
    long hist_ok = 1;
    for (int i = 0; i < n; i++) {
        const Linear *W = Model_matrix(q, i, name, sizeof name);
        char rname[96];
        const Linear *R = Model_matrix(f, i, rname, sizeof rname);
        if (!W || !R || strcmp(name, rname) != 0) { fail("qblock: matrix names", "%d: %s against %s", i, name, rname); break; }
        QBlock blk;
        if (QBlock_read(W, 0, 0, &blk) != 0) { codes_ok = 0; continue; }
        /* w = (code - offset) * d (+ m) for every weight of the first and the last block */
        for (int k = 0; k < 2; k++) {
            if (k == 1 && QBlock_read(W, W->out - 1, blk.n_blocks - 1, &blk) != 0) { codes_ok = 0; break; }
            if (blk.has_codes)
                for (int j = 0; j < blk.n; j++) {
                    float w = (float)(blk.codes[j] - blk.offset) * blk.scale + blk.min;
                    if (w != blk.w[j] || blk.codes[j] < (blk.bits == 8 ? -128 : 0) || blk.codes[j] > (blk.bits == 8 ? 127 : 15)) codes_ok = 0;
                }
            if ((W->type == QT_Q4_0 || W->type == QT_Q8_0) && !blk.has_codes) codes_ok = 0;
        }
        QBlock_read(W, 0, 0, &blk);
        const cJSON *want = cJSON_GetObjectItem(checks, name);
        if (want) {
            int j = 0;
            const cJSON *e;
            cJSON_ArrayForEach(e, want) { if (j < blk.n && fabs(blk.w[j] - e->valuedouble) > 1e-6 * fmax(1, fabs(e->valuedouble))) first8_ok = 0; j++; }
            n_first8++;
        }
        QError qe;
        if (QError_measure(W, R, &qe, err) != 0) { fail("qblock: error", "%s", err); continue; }
        long sum = 0;
        for (int k = 0; k < QERR_BINS; k++) sum += qe.hist[k];
        if (sum != qe.n || qe.n != (long)W->in * W->out) hist_ok = 0;
        if (W->type == QT_Q4_0 && qe.max_abs > worst_q4) worst_q4 = qe.max_abs;
        if (W->type == QT_Q8_0 && qe.max_abs > worst_q8) worst_q8 = qe.max_abs;
    }
    expect(codes_ok, "qblock: every Q4_0/Q8_0 block's codes times its scale give the dequantized weights", " ");
    /* the reference prints 7 decimals (0.0375366): 1e-6 absolute */
    expect(first8_ok && n_first8 >= 3, "qblock: first dequantized values = the reference's dequantized_checks", "%d tensors", n_first8);
    expect(hist_ok, "qblock: the error histogram counts every weight once", " ");
    double w4 = refjson_num(maxerr, "Q4_0"), w8 = refjson_num(maxerr, "Q8_0");
    expect(fabs(worst_q4 - w4) <= 1e-7 * w4 && fabs(worst_q8 - w8) <= 1e-7 * w8,
           "qblock: the largest rounding error per type = the reference's (Q4_0 0.1296, Q8_0 0.00498)", "Q4_0 %.9g against %.9g, Q8_0 %.9g against %.9g",
           worst_q4, w4, worst_q8, w8);
    QBlock fb;
    expect(QBlock_read(Model_matrix(q, 1, name, sizeof name), 0, 0, &fb) == 0 && fb.type == QT_Q4_0 && fb.bits_per_weight == 4.5 && fb.n == 32 && fb.n_blocks == 2 &&
           QBlock_read(Model_matrix(q, 1, name, sizeof name), 0, 2, &fb) != 0 && QBlock_read(Model_matrix(q, 1, name, sizeof name), 64, 0, &fb) != 0,
           "qblock: blk.0.attn_q is Q4_0 at 4.5 bits, 2 blocks a row; out of range refused", " ");
    /* the lesson's own rounding of the F32 weights = what ggml wrote into the Q4_0 and Q8_0 files */
    {
        Model *q8 = open_gguf("stories260K-q8_0", err);
        long n_checked = 0, n_diff = 0;
        float *row = malloc(sizeof(float) * 256), *mine = malloc(sizeof(float) * 256), *file = malloc(sizeof(float) * 256);
        const Model *files[2] = {q, q8};
        for (int k = 0; k < 2 && q8; k++)
            for (int i = 0; i < n; i++) {
                const Linear *W = Model_matrix(files[k], i, name, sizeof name), *R = Model_matrix(f, i, name, sizeof name);
                if (!W || W->w || (W->type != QT_Q4_0 && W->type != QT_Q8_0) || R->in > 256) continue;
                for (int r = 0; r < W->out; r++) {
                    Linear_row(R, r, row);
                    Linear_row(W, r, file);
                    if (QBlock_round(W->type, row, W->in, mine) != 0) { n_diff++; continue; }
                    for (int j = 0; j < W->in; j++) { n_checked++; n_diff += mine[j] != file[j]; }
                }
            }
        expect(q8 && n_checked > 100000 && n_diff == 0, "qblock: rounding the F32 weights to Q4_0 / Q8_0 gives the files' values exactly",
               "%ld of %ld differ", n_diff, n_checked);
        /* f16 rounding: ties to even, subnormals, overflow */
        expect(QBlock_f32_to_f16(1.0f) == 0x3C00 && QBlock_f32_to_f16(65504.0f) == 0x7BFF && QBlock_f32_to_f16(70000.0f) == 0x7C00 &&
               QBlock_f32_to_f16(1.0f + 1.0f / 2048) == 0x3C00 && QBlock_f32_to_f16(1.0f + 3.0f / 2048) == 0x3C02 &&
               QBlock_f32_to_f16(5.9604645e-8f) == 0x0001 && QBlock_f32_to_f16(-2.0f) == 0xC000,
               "qblock: float to half rounds to nearest even (IEEE)", " ");
        free(row);
        free(mine);
        free(file);
        Model_free(q8);
    }
out:
    cJSON_Delete(root);
    Model_free(f);
    Model_free(q);
}

int main(void) {
    test_blocks();
    test_lily();
    test_batch();
    test_self();
    test_refusals();
    return check_done();
}
