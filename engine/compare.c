/* compare.c - a model against its quantized copy on the same tokens (engine/compare.h). */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s && s[1] ? s + 1 : p;
}

int Compare_check(const Model *ref, const Model *q, char *err) {
    const Config *a = &ref->c, *b = &q->c;
    const char *na = base_name(ref->path), *nb = base_name(q->path);
    struct { const char *what; int x, y; } sz[] = {
        {"D", a->dim, b->dim}, {"F", a->hidden_dim, b->hidden_dim}, {"L", a->n_layers, b->n_layers},
        {"h", a->n_heads, b->n_heads}, {"KV", a->n_kv_heads, b->n_kv_heads}, {"V", a->vocab_size, b->vocab_size}};
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++)
        if (sz[i].x != sz[i].y) {
            sw_seterr(err, "cannot compare %s with %s: their shapes differ (%s=%d against %s=%d); --compare takes the same model in another type",
                      nb, na, sz[i].what, sz[i].y, sz[i].what, sz[i].x);
            return -1;
        }
    int va = Tokenizer_vocab_size(ref->tok), vb = Tokenizer_vocab_size(q->tok);
    if (va != vb) {
        sw_seterr(err, "cannot compare %s with %s: their tokenizers differ (%d tokens against %d); --compare takes the same model in another type",
                  nb, na, vb, va);
        return -1;
    }
    if (Tokenizer_bos(ref->tok) != Tokenizer_bos(q->tok)) {
        sw_seterr(err, "cannot compare %s with %s: their tokenizers differ (BOS %d against %d); --compare takes the same model in another type",
                  nb, na, Tokenizer_bos(q->tok), Tokenizer_bos(ref->tok));
        return -1;
    }
    for (int id = 0; id < va; id++) {
        size_t la = 0, lb = 0;
        const char *ba = Tokenizer_bytes(ref->tok, id, &la), *bb = Tokenizer_bytes(q->tok, id, &lb);
        const char *sa = Tokenizer_symbol(ref->tok, id), *sb = Tokenizer_symbol(q->tok, id);
        /* the bytes a token stands for; a token without bytes (<s>, </s>) by its symbol
         * (so a llama2.c tokenizer's " t" is a GGUF file's "▁t") */
        int same = la == lb && (la > 0 ? ba && bb && memcmp(ba, bb, la) == 0
                                       : (!sa && !sb) || (sa && sb && strcmp(sa, sb) == 0));
        if (!same) {
            char pa[64], pb[64];
            Tokenizer_label(ref->tok, id, 0, pa, sizeof pa);
            Tokenizer_label(q->tok, id, 0, pb, sizeof pb);
            sw_seterr(err, "cannot compare %s with %s: their tokenizers differ (token %d is '%s' against '%s'); --compare takes the same model in another type",
                      nb, na, id, pb, pa);
            return -1;
        }
    }
    return 0;
}

Model *Compare_open(const Model *ref, const char *path, const char *tok_path, char *err) {
    Model *q = Model_open(path, tok_path, err);
    if (!q) return NULL;
    if (Compare_check(ref, q, err) != 0) {
        Model_free(q);
        return NULL;
    }
    return q;
}

Trace *Compare_run(const Model *q, const Trace *ref, const int *lens, char *err) {
    const int *ids[SW_MAX_B];
    int n[SW_MAX_B];
    for (int b = 0; b < ref->B; b++) {
        ids[b] = ref->ids + (size_t)b * ref->Tcap;
        n[b] = lens ? lens[b] : ref->len[b];
        if (n[b] > ref->len[b]) n[b] = ref->len[b];
    }
    TraceOpts o = ref->opts;
    o.progress = NULL;
    o.progress_ud = NULL;
    o.max_new = 0;
    Trace *t = Trace_run_ids(q, ids, n, ref->B, &o, err);
    if (t)
        for (int b = 0; b < ref->B; b++) t->prompts[b] = strdup(ref->prompts[b] ? ref->prompts[b] : "");
    return t;
}

/* log-sum-exp of n floats in double, the max subtracted */
static double lse(const float *x, int n) {
    double mx = x[0];
    for (int i = 1; i < n; i++) if (x[i] > mx) mx = x[i];
    double s = 0;
    for (int i = 0; i < n; i++) s += exp((double)x[i] - mx);
    return mx + log(s);
}

double Compare_kl_logits(const float *a, const float *b, int n) {
    double la = lse(a, n), lb = lse(b, n), kl = 0;
    for (int i = 0; i < n; i++) {
        double lpa = (double)a[i] - la, lpb = (double)b[i] - lb;
        kl += exp(lpa) * (lpa - lpb);
    }
    return kl > 0 ? kl : 0;   /* rounding can leave -1e-17 for identical rows */
}

static int argmax(const float *x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (x[i] > x[best]) best = i;
    return best;
}

void Compare_free(Compare *c) {
    if (!c) return;
    free(c->kl);
    free(c->top_ref);
    free(c->top_q);
    free(c->loss_ref);
    free(c->loss_q);
    free(c->rel);
    free(c->cos);
    free(c);
}

Compare *Compare_build(Trace *ref, Trace *q, char *err) {
    const Config *cf = &ref->m->c;
    if (q->m->c.dim != cf->dim || q->m->c.n_layers != cf->n_layers || q->m->c.vocab_size != cf->vocab_size) {
        sw_seterr(err, "the two traces are of models of different shapes");
        return NULL;
    }
    if (q->B != ref->B) {
        sw_seterr(err, "the two traces have %d and %d rows", ref->B, q->B);
        return NULL;
    }
    Compare *c = calloc(1, sizeof *c);
    if (!c) { sw_seterr(err, "out of memory"); return NULL; }
    c->B = ref->B;
    c->L = cf->n_layers;
    for (int b = 0; b < c->B; b++) {
        c->len[b] = ref->len[b] < q->len[b] ? ref->len[b] : q->len[b];
        for (int t = 0; t < c->len[b]; t++)
            if (Trace_id(ref, b, t) != Trace_id(q, b, t)) {
                sw_seterr(err, "row %d: the two traces have different tokens at position %d", b, t);
                free(c);
                return NULL;
            }
        if (c->len[b] > c->T) c->T = c->len[b];
    }
    size_t np = (size_t)c->B * (size_t)c->T, ns = (size_t)(c->L + 1) * np;
    c->kl = calloc(np, sizeof *c->kl);
    c->top_ref = calloc(np, sizeof *c->top_ref);
    c->top_q = calloc(np, sizeof *c->top_q);
    c->loss_ref = calloc(np, sizeof *c->loss_ref);
    c->loss_q = calloc(np, sizeof *c->loss_q);
    c->rel = calloc(ns, sizeof *c->rel);
    c->cos = calloc(ns, sizeof *c->cos);
    const int V = cf->vocab_size, D = cf->dim;
    float *la = malloc(sizeof(float) * (size_t)V);
    if (!c->kl || !c->top_ref || !c->top_q || !c->loss_ref || !c->loss_q || !c->rel || !c->cos || !la) {
        free(la);
        Compare_free(c);
        sw_seterr(err, "out of memory");
        return NULL;
    }
    c->flip_b = c->flip_t = -1;
    double skl = 0, sref = 0, sq = 0;
    for (int b = 0; b < c->B; b++)
        for (int t = 0; t < c->len[b]; t++) {
            int i = Compare_at(c, b, t);
            memcpy(la, Trace_logits_row(ref, b, t), sizeof(float) * (size_t)V);  /* valid until the next call */
            const float *lq = Trace_logits_row(q, b, t);
            c->kl[i] = Compare_kl_logits(la, lq, V);
            c->top_ref[i] = argmax(la, V);
            c->top_q[i] = argmax(lq, V);
            skl += c->kl[i];
            if (c->kl[i] > c->max_kl) c->max_kl = c->kl[i];
            c->n_pos++;
            if (c->top_ref[i] == c->top_q[i]) c->n_agree++;
            else if (c->flip_b < 0) { c->flip_b = b; c->flip_t = t; }
            if (t + 1 < c->len[b]) {
                int next = Trace_id(ref, b, t + 1);
                c->loss_ref[i] = lse(la, V) - la[next];
                c->loss_q[i] = lse(lq, V) - lq[next];
                sref += c->loss_ref[i];
                sq += c->loss_q[i];
                c->n_loss++;
            } else {
                c->loss_ref[i] = c->loss_q[i] = NAN;
            }
            for (int s = 0; s <= c->L; s++) {
                const float *x = Trace_resid(ref, s, b, t), *y = Trace_resid(q, s, b, t);
                double xx = 0, yy = 0, xy = 0, dd = 0;
                for (int d = 0; d < D; d++) {
                    double dx = (double)y[d] - (double)x[d];
                    xx += (double)x[d] * x[d];
                    yy += (double)y[d] * y[d];
                    xy += (double)x[d] * y[d];
                    dd += dx * dx;
                }
                int j = Compare_sat(c, s, b, t);
                c->rel[j] = xx > 0 ? sqrt(dd / xx) : (dd > 0 ? INFINITY : 0);
                c->cos[j] = xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : (xx == yy ? 1 : 0);
                if (s < 64) c->mean_rel[s] += c->rel[j];
            }
        }
    free(la);
    if (c->n_pos) {
        c->mean_kl = skl / c->n_pos;
        c->agree = (double)c->n_agree / c->n_pos;
        for (int s = 0; s <= c->L && s < 64; s++) c->mean_rel[s] /= c->n_pos;
    }
    if (c->n_loss) {
        c->mean_loss_ref = sref / c->n_loss;
        c->mean_loss_q = sq / c->n_loss;
        c->dloss = c->mean_loss_q - c->mean_loss_ref;
        c->ppl_ref = exp(c->mean_loss_ref);
        c->ppl_q = exp(c->mean_loss_q);
        c->dppl = c->ppl_q - c->ppl_ref;
    }
    return c;
}
