/* explain.c - one cell's computation with the real numbers (explain.h). Each station's
 * maths is engine/forward.c's; here it is done again for one cell, in double where it sums,
 * and written out step by step. */
#include "explain.h"
#include "quant.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SHOW = 4 };   /* entries of a long vector shown before "…" */

static void add(Explain *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(Explain *e, const char *fmt, ...) {
    if (e->n >= EXPLAIN_LINES) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->line[e->n++], EXPLAIN_COLS, fmt, ap);
    va_end(ap);
}

/* "[0.1234, -0.5, 1.25, 0.0312, …]" : the first SHOW of n values x[i*stride] */
static const char *vec(char *buf, size_t cap, const float *x, int n, long stride) {
    size_t u = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < n && i < SHOW && u < cap; i++)
        u += (size_t)snprintf(buf + u, cap - u, "%s%.4g", i ? ", " : "", x[(long)i * stride]);
    if (u < cap) snprintf(buf + u, cap - u, "%s]", n > SHOW ? ", …" : "");
    return buf;
}

/* Σ a[i] b[i] over n terms, in double; the first terms written out as one line
 * "name = a0×b0 + a1×b1 + … (n terms)" and the sum as the next. *abs_sum: Σ|a b|. */
static double dot_lines(Explain *e, const char *name, const float *a, long sa, const float *b, long sb, int n, double *abs_sum) {
    double s = 0, as = 0;
    for (int i = 0; i < n; i++) {
        double p = (double)a[(long)i * sa] * b[(long)i * sb];
        s += p;
        as += fabs(p);
    }
    char buf[EXPLAIN_COLS];
    size_t u = 0;
    for (int i = 0; i < n && i < 3 && u < sizeof buf; i++) {
        double x = a[(long)i * sa], y = b[(long)i * sb];
        u += (size_t)snprintf(buf + u, sizeof buf - u, "%s%s%.4g%s×%s%.4g%s", i ? " + " : "", i && x < 0 ? "(" : "", x, i && x < 0 ? ")" : "",
                              y < 0 ? "(" : "", y, y < 0 ? ")" : "");
    }
    add(e, "%s = %s%s", name, buf, n > 3 ? " + …" : "");
    add(e, "%*s = %.6g   (the sum of all %d terms)", (int)strlen(name) > 12 ? 12 : (int)strlen(name), "", s, n);
    if (n > 3) {   /* which terms mattered most */
        int big[2] = {-1, -1};
        for (int i = 0; i < n; i++) {
            double p = fabs((double)a[(long)i * sa] * b[(long)i * sb]);
            if (big[0] < 0 || p > fabs((double)a[(long)big[0] * sa] * b[(long)big[0] * sb])) { big[1] = big[0]; big[0] = i; }
            else if (big[1] < 0 || p > fabs((double)a[(long)big[1] * sa] * b[(long)big[1] * sb])) big[1] = i;
        }
        char bb[2][64];
        for (int k = 0; k < 2; k++)
        {
            const double x = a[(long)big[k] * sa], y = b[(long)big[k] * sb];
            snprintf(bb[k], sizeof bb[k], "[%d] %.4g×%s%.4g%s = %.4g", big[k], x, y < 0 ? "(" : "", y, y < 0 ? ")" : "", x * y);
        }
        add(e, "largest terms: %s,  %s", bb[0], bb[1]);
    }
    if (abs_sum) *abs_sum = as;
    return s;
}

/* Column j of y = x @ W as W->in floats: the weights that make output j (dequantized). */
static void weight_col(const Linear *W, int j, float *dst) {
    if (W->w && W->out_major) memcpy(dst, W->w + (size_t)j * W->in, sizeof(float) * (size_t)W->in);
    else if (W->w) for (int i = 0; i < W->in; i++) dst[i] = W->w[(size_t)i * W->out + j];
    else Quant_dequant_row(W->type, (const char *)W->q + (size_t)j * W->row_bytes, dst, W->in);
}

static const char *wtype(const Linear *W) {
    if (W->w || W->type == QT_F32) return "";
    static char buf[64];   /* only ever one explanation at a time (the UI thread) */
    snprintf(buf, sizeof buf, " (%s, dequantized)", Quant_name(W->type) ? Quant_name(W->type) : "?");
    return buf;
}

/* result = x · W[:, j] + bias[j], the lines for it; wname "Wq", xname "xn". */
static double matmul_cell(Explain *e, const Linear *W, const float *bias, int j, const float *x, const char *xname,
                          const char *wname, char *err) {
    float *col = malloc(sizeof(float) * (size_t)W->in);
    if (!col) { sw_seterr(err, "out of memory"); return NAN; }
    weight_col(W, j, col);
    char v[EXPLAIN_COLS], name[64];
    add(e, "%s = %s  (%d)", xname, vec(v, sizeof v, x, W->in, 1), W->in);
    add(e, "%s[:, %d] = %s%s", wname, j, vec(v, sizeof v, col, W->in, 1), wtype(W));
    snprintf(name, sizeof name, "%s · %s[:, %d]", xname, wname, j);
    double as = 0;
    double s = dot_lines(e, name, x, 1, col, 1, W->in, &as);
    free(col);
    e->scale = as;
    if (bias) {
        add(e, "+ b[%d] = %.6g + (%.6g) = %.6g", j, s, (double)bias[j], s + bias[j]);
        s += bias[j];
        e->scale += fabs(bias[j]);
    }
    return s;
}

static const char *label(const Trace *t, int id, char *buf, size_t cap) {
    Tokenizer_label(t->m->tok, id, 1, buf, cap);
    return buf;
}

/* The norm of row x (D) with weights w, b (b NULL for RMSNorm), explained for column c. */
static double norm_cell(Explain *e, const Model *m, const float *x, const float *w, const float *bias, int c, const char *xname) {
    const int D = m->c.dim;
    const double eps = m->c.norm_eps;
    char v[EXPLAIN_COLS];
    add(e, "%s = %s  (D=%d)", xname, vec(v, sizeof v, x, D, 1), D);
    double r;
    if (m->c.norm == NORM_LAYERNORM) {
        double mean = 0, var = 0;
        for (int i = 0; i < D; i++) mean += x[i];
        mean /= D;
        for (int i = 0; i < D; i++) var += (x[i] - mean) * (x[i] - mean);
        var /= D;
        r = (double)(float)(1.0 / sqrt(var + eps));
        add(e, "mean = Σx/D = %.6g    var = Σ(x − mean)²/D = %.6g", mean, var);
        add(e, "1/√(var + eps) = 1/√(%.6g + %g) = %.6g", var, eps, r);
        double y = (double)(float)(x[c] - mean) * r * w[c] + (bias ? bias[c] : 0);
        const double dx = (double)(float)(x[c] - mean);
        add(e, "xn[%d] = (x[%d] − mean) / √(var + eps) · w[%d] + b[%d]", c, c, c, c);
        add(e, "x[%d] − mean = %.6g − (%.6g) = %.6g", c, (double)x[c], mean, dx);
        add(e, "xn[%d] = %.6g · %.6g · %.6g + (%.6g) = %.6g", c, dx, r, (double)w[c], bias ? (double)bias[c] : 0.0, y);
        e->scale = fabs((x[c] - mean) * r * w[c]) + (bias ? fabs(bias[c]) : 0);
        return y;
    }
    double ss = 0;
    for (int i = 0; i < D; i++) ss += (double)x[i] * x[i];
    r = (double)(float)(1.0 / sqrt(ss / D + eps));
    add(e, "mean square = Σx²/D = %.6g", ss / D);
    add(e, "1/√(mean square + eps) = 1/√(%.6g + %g) = %.6g", ss / D, eps, r);
    double y = (double)x[c] * r * w[c];
    add(e, "xn[%d] = x[%d] / √(mean square + eps) · w[%d]", c, c, c);
    add(e, "      = %.6g · %.6g · %.6g = %.6g", (double)x[c], r, (double)w[c], y);
    e->scale = fabs(y);
    return y;
}

static float gelu_f(float x) {
    const float s = 0.7978845608028654f;
    float u = s * (x + 0.044715f * x * x * x);
    return 0.5f * x * (1.0f + tanhf(u));
}
static double silu_d(double x) { return x / (1.0 + exp(-x)); }

int Explain_cell(Trace *t, StationRef s, int which, int b, int head, int row, int col, float temperature, Explain *e,
                 char *err) {
    memset(e, 0, sizeof *e);
    const Model *m = t->m;
    const Config *c = &m->c;
    const int D = c->dim, H = c->n_heads, KV = c->n_kv_heads, d = c->head_dim, F = c->hidden_dim, V = c->vocab_size;
    const int Tc = t->Tcap;
    if (b < 0 || b >= t->B || row < 0 || row >= t->len[b]) {
        sw_seterr(err, "no token at row b=%d, position %d (padding)", b, row);
        return -1;
    }
    char lab[64], lab2[64], v1[EXPLAIN_COLS];
    const int id = Trace_id(t, b, row);
    const size_t at = (size_t)b * Tc + row;
    const LayerRec *r = NULL;
    if (s.kind >= ST_NORM1 || s.kind == ST_BLOCK) {
        if (s.layer < 0 || s.layer >= c->n_layers) { sw_seterr(err, "no layer %d", s.layer + 1); return -1; }
        if (!(r = Trace_layer(t, s.layer, err))) return -1;
    }
    const LayerWeights *lw = s.layer >= 0 && s.layer < c->n_layers ? &m->layers[s.layer] : NULL;
    int width = s.kind == ST_MLP_UP ? F : (s.kind == ST_LM_HEAD || s.kind == ST_SOFTMAX) ? V : D;
    if (s.kind == ST_QKV || s.kind == ST_ROPE) width = d;
    if (s.kind == ST_SCORES || s.kind == ST_MASK || s.kind == ST_ATTN) width = t->len[b];
    if (s.kind != ST_TOKENIZE && s.kind != ST_NEXT && (col < 0 || col >= width)) {
        sw_seterr(err, "no column %d here (0..%d)", col, width - 1);
        return -1;
    }
    switch (s.kind) {
    case ST_TOKENIZE:
        snprintf(e->title, sizeof e->title, "ids[%d,%d] = %d", b, row, id);
        add(e, "token t=%d of row b=%d is the text piece \"%s\"", row, b, label(t, id, lab, sizeof lab));
        add(e, "the tokenizer's vocabulary (V=%d entries) has it as entry %d", V, id);
        e->value = e->result = id;
        e->scale = fabs((double)id);
        return 0;
    case ST_EMBED:
    case ST_POSITIONS: {
        float *er = malloc(sizeof(float) * (size_t)D);
        if (!er) { sw_seterr(err, "out of memory"); return -1; }
        Model_embed_row(m, id, er);
        const int learned = s.kind == ST_POSITIONS && c->pos == POS_LEARNED;
        snprintf(e->title, sizeof e->title, "x[%d,%d,%d] = %s", b, row, col, learned ? "E[id, c] + P[t, c]" : "E[id, c]");
        add(e, "token t=%d \"%s\" has id %d: its vector is row %d of E", row, label(t, id, lab, sizeof lab), id, id);
        add(e, "E is the embedding table, (V,D) = (%d,%d)%s", V, D, wtype(&m->tok_emb));
        add(e, "E[%d] = %s", id, vec(v1, sizeof v1, er, D, 1));
        if (learned) {
            const float *P = m->pos_emb + (size_t)row * D;
            add(e, "P[%d] = %s   (row t of P)", row, vec(v1, sizeof v1, P, D, 1));
            e->result = (double)(er[col] + P[col]);
            add(e, "x[%d,%d,%d] = E[%d,%d] + P[%d,%d] = %.6g + (%.6g) = %.6g", b, row, col, id, col, row, col, (double)er[col], (double)P[col],
                e->result);
            e->scale = fabs(er[col]) + fabs(P[col]);
            e->value = t->resid[at * D + col];
        } else {
            e->result = er[col];
            add(e, "x[%d,%d,%d] = E[%d,%d] = %.6g", b, row, col, id, col, e->result);
            if (s.kind == ST_POSITIONS) add(e, "nothing is added here: RoPE rotates q and k inside attention (3.l.c)");
            e->scale = fabs(er[col]);
            e->value = s.kind == ST_EMBED ? t->embed[at * D + col] : t->resid[at * D + col];
        }
        free(er);
        return 0;
    }
    case ST_BLOCK: {
        const float *xin = t->resid + ((size_t)s.layer * t->B * Tc + at) * D;
        float mid = xin[col] + r->attn_proj[at * D + col];
        e->result = (double)(mid + r->mlp_out[at * D + col]);
        e->value = Trace_resid(t, s.layer + 1, b, row)[col];
        snprintf(e->title, sizeof e->title, "x[%d,%d,%d] after block %d = x + attn + mlp", b, row, col, s.layer + 1);
        add(e, "x in   (the residual before the block)     = %.6g", (double)xin[col]);
        add(e, "+ attn (y@Wo, step 3.%d.h)                  = %.6g", s.layer + 1, (double)r->attn_proj[at * D + col]);
        add(e, "+ mlp  (hid@Wd, step 3.%d.k)                = %.6g", s.layer + 1, (double)r->mlp_out[at * D + col]);
        add(e, "= %.6g", e->result);
        add(e, "Enter goes inside the block to see how attn and mlp were made");
        e->scale = fabs(xin[col]) + fabs(r->attn_proj[at * D + col]) + fabs(r->mlp_out[at * D + col]);
        return 0;
    }
    case ST_FINAL_NORM: case ST_NORM1: case ST_NORM2: {
        const float *x, *w, *bb;
        const char *nm;
        if (s.kind == ST_FINAL_NORM) { x = Trace_resid(t, c->n_layers, b, row); w = m->lnf_w; bb = m->lnf_b; nm = "x (after the last block)"; }
        else if (s.kind == ST_NORM1) { x = Trace_resid(t, s.layer, b, row); w = lw->attn_norm; bb = lw->attn_norm_b; nm = "x (the residual in)"; }
        else { x = r->resid_mid + at * D; w = lw->ffn_norm; bb = lw->ffn_norm_b; nm = "x (after attention)"; }
        snprintf(e->title, sizeof e->title, "xn[%d,%d,%d] = %s", b, row, col, c->norm == NORM_LAYERNORM ? "LayerNorm(x)[c]" : "RMSNorm(x)[c]");
        e->result = norm_cell(e, m, x, w, c->norm == NORM_LAYERNORM ? bb : NULL, col, nm);
        e->value = s.kind == ST_FINAL_NORM ? t->final_norm[at * D + col] : s.kind == ST_NORM1 ? r->norm1[at * D + col] : r->norm2[at * D + col];
        return 0;
    }
    case ST_QKV: {
        which %= 3;
        const int nh = which == 0 ? H : KV;
        if (head < 0 || head >= nh) { sw_seterr(err, "no head %d", head); return -1; }
        const int j = head * d + col;
        const char *sym = which == 0 ? "q" : which == 1 ? "k" : "v";
        const Linear *W;
        const float *bias;
        int wj = j;
        char wname[16];
        if (c->qkv_fused) {
            W = &lw->attn_qkv; bias = lw->attn_qkv_b; wj = which * D + j;
            snprintf(wname, sizeof wname, "W_qkv");
        } else {
            W = which == 0 ? &lw->attn_q : which == 1 ? &lw->attn_k : &lw->attn_v;
            bias = which == 0 ? lw->attn_q_b : which == 1 ? lw->attn_k_b : lw->attn_v_b;
            snprintf(wname, sizeof wname, "W%s", sym);
        }
        snprintf(e->title, sizeof e->title, "%s[%d,%d,%d,%d] = xn · %s[:, %d]%s", sym, b, head, row, col, wname, wj, bias ? " + b" : "");
        add(e, "%shead %d, entry %d: column %d of %s%s", which == 0 || KV == H ? "" : "KV ", head, col, wj, wname,
            c->qkv_fused ? " (q|k|v side by side)" : "");
        e->result = matmul_cell(e, W, bias, wj, r->norm1 + at * D, "xn", wname, err);
        if (isnan(e->result)) return -1;
        const float *src = which == 0 ? r->q : which == 1 ? r->k : r->v;
        e->value = src[at * (size_t)(which == 0 ? D : KV * d) + j];
        return 0;
    }
    case ST_ROPE: {
        if (!r->q_rot) { sw_seterr(err, "this model has no rotary step"); return -1; }
        which %= 2;
        const int nh = which == 0 ? H : KV, w_ = which == 0 ? D : KV * d;
        if (head < 0 || head >= nh) { sw_seterr(err, "no head %d", head); return -1; }
        const char *sym = which == 0 ? "q" : "k";
        const float *x = (which == 0 ? r->q : r->k) + at * w_ + head * d;
        const float *xr = (which == 0 ? r->q_rot : r->k_rot) + at * w_ + head * d;
        e->value = xr[col];
        snprintf(e->title, sizeof e->title, "%s'[%d,%d,%d,%d]: %s rotated by position t=%d", sym, b, head, row, col, sym, row);
        const int rd = c->rope_dims, halves = c->rope_pairing == ROPE_HALVES;
        if (col >= rd) {
            add(e, "entry %d is past the %d rotated dimensions: it passes through", col, rd);
            e->result = x[col];
            add(e, "%s'[%d] = %s[%d] = %.6g", sym, col, sym, col, e->result);
            e->scale = fabs(e->result);
            return 0;
        }
        const int pj = halves ? col % (rd / 2) : col / 2;
        const int i0 = halves ? pj : 2 * pj, i1 = halves ? pj + rd / 2 : 2 * pj + 1;
        float freq = 1.0f / powf(c->rope_base, (float)(2 * pj) / (float)rd);
        float ang = row * freq, cs = cosf(ang), sn = sinf(ang);
        add(e, "pair %d: (%s[%d], %s[%d]) = (%.6g, %.6g)   (%s)", pj, sym, i0, sym, i1, (double)x[i0], (double)x[i1],
            halves ? "i with i + d/2, NEOX order" : "neighbours 2i, 2i+1");
        add(e, "θ = t · base^(−2i/d) = %d · %g^(−%d/%d) = %d · %.6g = %.6g rad", row, (double)c->rope_base, 2 * pj, rd, row, (double)freq,
            (double)ang);
        add(e, "cos θ = %.6g   sin θ = %.6g", (double)cs, (double)sn);
        if (col == i0) {
            e->result = (double)x[i0] * cs - (double)x[i1] * sn;
            add(e, "%s'[%d] = %s[%d]·cos θ − %s[%d]·sin θ", sym, i0, sym, i0, sym, i1);
            add(e, "      = %.6g·%.6g − (%.6g)·%.6g = %.6g", (double)x[i0], (double)cs, (double)x[i1], (double)sn, e->result);
        } else {
            e->result = (double)x[i0] * sn + (double)x[i1] * cs;
            add(e, "%s'[%d] = %s[%d]·sin θ + %s[%d]·cos θ", sym, i1, sym, i0, sym, i1);
            add(e, "      = %.6g·%.6g + (%.6g)·%.6g = %.6g", (double)x[i0], (double)sn, (double)x[i1], (double)cs, e->result);
        }
        e->scale = fabs(x[i0]) + fabs(x[i1]);
        return 0;
    }
    case ST_SCORES: case ST_MASK: {
        if (head < 0 || head >= H) { sw_seterr(err, "no head %d", head); return -1; }
        const int i = row, j = col, kvh = head / (H / KV);
        const float *qv = (r->q_rot ? r->q_rot : r->q) + at * D + head * d;
        const float *kv = (r->k_rot ? r->k_rot : r->k) + ((size_t)b * Tc + j) * KV * d + kvh * d;
        const double sc = r->scores[(((size_t)b * H + head) * Tc + i) * Tc + j];
        label(t, id, lab, sizeof lab);
        label(t, Trace_id(t, b, j), lab2, sizeof lab2);
        if (s.kind == ST_MASK && j > i) {
            snprintf(e->title, sizeof e->title, "S[%d,%d,%d,%d] = −∞ (masked)", b, head, i, j);
            add(e, "key j=%d \"%s\" comes after query i=%d \"%s\": a token may not look ahead", j, lab2, i, lab);
            add(e, "so S[i,j] = −∞ for j > i, and after the softmax exp(−∞) = 0");
            add(e, "(its score before the mask was %.6g; see 3.%d.d)", sc, s.layer + 1);
            e->value = e->result = -INFINITY;
            e->masked = 1;
            e->scale = 1;
            return 0;
        }
        snprintf(e->title, sizeof e->title, "S[%d,%d,%d,%d] = q_%d · k_%d / √d", b, head, i, j, i, j);
        add(e, "query i=%d \"%s\", key j=%d \"%s\", head %d", i, lab, j, lab2, head);
        if (KV < H) add(e, "grouped-query attention: query head %d reads KV head %d", head, kvh);
        add(e, "q_%d%s = %s  (d=%d)", i, r->q_rot ? " (after RoPE)" : "", vec(v1, sizeof v1, qv, d, 1), d);
        add(e, "k_%d%s = %s", j, r->k_rot ? " (after RoPE)" : "", vec(v1, sizeof v1, kv, d, 1));
        char name[32];
        snprintf(name, sizeof name, "q_%d · k_%d", i, j);
        double as = 0;
        double dt = dot_lines(e, name, qv, 1, kv, 1, d, &as);
        const float inv = 1.0f / sqrtf((float)d);
        e->result = dt * inv;
        add(e, "/ √d = %.6g / √%d = %.6g · %.6g = %.6g", dt, d, dt, (double)inv, e->result);
        if (s.kind == ST_SCORES && j > i) add(e, "j > i: this key comes later; the mask (3.%d.e) sets it to −∞", s.layer + 1);
        if (s.kind == ST_MASK) add(e, "j ≤ i: allowed, the mask leaves it as it is");
        e->value = sc;
        e->scale = as * inv;
        return 0;
    }
    case ST_ATTN: {
        if (head < 0 || head >= H) { sw_seterr(err, "no head %d", head); return -1; }
        const int i = row, j = col;
        const float *S = r->scores + (((size_t)b * H + head) * Tc + i) * Tc;
        e->value = r->probs[(((size_t)b * H + head) * Tc + i) * Tc + j];
        snprintf(e->title, sizeof e->title, "A[%d,%d,%d,%d] = exp(S[i,j] − max) / Σ", b, head, i, j);
        if (j > i) {
            add(e, "key j=%d comes after query i=%d: masked, S = −∞, exp(−∞) = 0", j, i);
            e->result = 0;
            e->masked = 1;
            e->scale = 1;
            return 0;
        }
        double mx = S[0], sum = 0;
        for (int q = 1; q <= i; q++) if (S[q] > mx) mx = S[q];
        for (int q = 0; q <= i; q++) sum += exp(S[q] - mx);
        add(e, "row i=%d of S, keys 0..%d (the rest masked) = %s", i, i, vec(v1, sizeof v1, S, i + 1, 1));
        add(e, "max = %.6g", mx);
        size_t u = (size_t)snprintf(v1, sizeof v1, "[");
        for (int q = 0; q <= i && q < SHOW; q++) u += (size_t)snprintf(v1 + u, sizeof v1 - u, "%s%.4g", q ? ", " : "", exp(S[q] - mx));
        snprintf(v1 + u, sizeof v1 - u, "%s]", i + 1 > SHOW ? ", …" : "");
        add(e, "exp(S − max) = %s", v1);
        add(e, "Σ over the %d allowed keys = %.6g", i + 1, sum);
        e->result = exp(S[j] - mx) / sum;
        add(e, "A[i,j] = exp(%.6g − %.6g) / %.6g = %.6g / %.6g = %.6g", (double)S[j], mx, sum, exp(S[j] - mx), sum, e->result);
        e->scale = 1;   /* probabilities: rounding is relative to the row's total, 1 */
        return 0;
    }
    case ST_WSUM: {
        const int hh = col / d, dd = col % d, kvh = hh / (H / KV);
        const float *A = r->probs + (((size_t)b * H + hh) * Tc + row) * Tc;
        const float *vv = r->v + (size_t)b * Tc * KV * d + kvh * d + dd;
        snprintf(e->title, sizeof e->title, "y[%d,%d,%d] = Σ_j A[%d,j] · v_j[%d]   (head %d)", b, row, col, row, dd, hh);
        add(e, "column %d = head %d·d + %d: head %d's weighted sum, entry %d", col, hh, dd, hh, dd);
        if (KV < H) add(e, "grouped-query attention: head %d reads the values of KV head %d", hh, kvh);
        add(e, "A[%d, 0..%d] = %s", row, row, vec(v1, sizeof v1, A, row + 1, 1));
        add(e, "v_j[%d], j = 0..%d = %s", dd, row, vec(v1, sizeof v1, vv, row + 1, (long)KV * d));
        double as = 0;
        e->result = dot_lines(e, "Σ_j A v", A, 1, vv, (long)KV * d, row + 1, &as);
        e->scale = as;
        e->value = r->wsum[at * D + col];
        return 0;
    }
    case ST_OUT_PROJ: case ST_MLP_DOWN: {
        const int down = s.kind == ST_MLP_DOWN;
        const float *added = down ? r->mlp_out : r->attn_proj;
        const float *before = down ? r->resid_mid + at * D : Trace_resid(t, s.layer, b, row);
        if (which % 2 == 0) {
            snprintf(e->title, sizeof e->title, "x[%d,%d,%d] = x + %s", b, row, col, down ? "hid@Wd" : "y@Wo");
            add(e, "x before (%s) = %.6g", down ? "after attention, 3.l.h" : "the residual into the block", (double)before[col]);
            add(e, "+ %s (w shows how it was made) = %.6g", down ? "hid@Wd" : "y@Wo", (double)added[at * D + col]);
            e->result = (double)(before[col] + added[at * D + col]);
            add(e, "= %.6g", e->result);
            e->scale = fabs(before[col]) + fabs(added[at * D + col]);
            e->value = down ? Trace_resid(t, s.layer + 1, b, row)[col] : r->resid_mid[at * D + col];
            return 0;
        }
        snprintf(e->title, sizeof e->title, "%s[%d,%d,%d] = %s · %s[:, %d]%s", down ? "hid@Wd" : "y@Wo", b, row, col, down ? "hid" : "y",
                 down ? "Wd" : "Wo", col, (down ? lw->ffn_down_b : lw->attn_out_b) ? " + b" : "");
        e->result = down ? matmul_cell(e, &lw->ffn_down, lw->ffn_down_b, col, r->mlp_act + at * F, "hid", "Wd", err)
                         : matmul_cell(e, &lw->attn_out, lw->attn_out_b, col, r->wsum + at * D, "y", "Wo", err);
        if (isnan(e->result)) return -1;
        e->value = added[at * D + col];
        return 0;
    }
    case ST_MLP_UP: {
        const int swiglu = c->mlp == MLP_SWIGLU;
        which %= swiglu ? 3 : 2;
        const float *xn = r->norm2 + at * D;
        const size_t k = at * F + col;
        if (which == 1 || which == 2) {
            const int up = which == 2 || !swiglu;
            const Linear *W = up ? &lw->ffn_up : &lw->ffn_gate;
            const char *wn = swiglu ? (up ? "Wu" : "Wg") : "Wu";
            snprintf(e->title, sizeof e->title, "%s[%d,%d,%d] = xn · %s[:, %d]%s", swiglu ? (up ? "up" : "pre") : "pre", b, row, col, wn, col,
                     up && lw->ffn_up_b ? " + b" : "");
            e->result = matmul_cell(e, W, up ? lw->ffn_up_b : NULL, col, xn, "xn", wn, err);
            if (isnan(e->result)) return -1;
            e->value = which == 2 ? r->mlp_gate[k] : r->mlp_pre[k];
            return 0;
        }
        e->value = r->mlp_act[k];
        if (!swiglu) {
            const float x = r->mlp_pre[k];
            snprintf(e->title, sizeof e->title, "hid[%d,%d,%d] = gelu(pre)", b, row, col);
            add(e, "pre = xn · Wu[:, %d] + bu[%d] = %.6g   (w: how it was made)", col, col, (double)x);
            add(e, "gelu(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))");
            double u = 0.7978845608028654 * (x + 0.044715 * x * x * x);
            add(e, "        = 0.5 · %.6g · (1 + tanh(%.6g)) = 0.5 · %.6g · %.6g", (double)x, u, (double)x, 1 + tanh(u));
            e->result = gelu_f(x);
            add(e, "        = %.6g", e->result);
            e->scale = fabs(x);
            return 0;
        }
        const float g = r->mlp_pre[k], u = r->mlp_gate[k];
        snprintf(e->title, sizeof e->title, "hid[%d,%d,%d] = silu(g) · u", b, row, col);
        add(e, "g = xn · Wg[:, %d] = %.6g   (w: pre)", col, (double)g);
        add(e, "u = xn · Wu[:, %d] = %.6g   (w: up)", col, (double)u);
        double sg = silu_d(g);
        add(e, "silu(g) = g / (1 + exp(−g)) = %.6g / (1 + %.6g) = %.6g", (double)g, exp(-(double)g), sg);
        e->result = sg * u;
        add(e, "hid = silu(g) · u = %.6g · %.6g = %.6g", sg, (double)u, e->result);
        e->scale = fabs(e->result) + 1e-30;
        return 0;
    }
    case ST_LM_HEAD: {
        const float *xn = t->final_norm + at * D;
        snprintf(e->title, sizeof e->title, "logit[%d,%d,%d] = x · W_lm[:, %d]   token \"%s\"", b, row, col, col, label(t, col, lab, sizeof lab));
        if (c->shared_classifier) add(e, "W_lm is tied to the embedding: W_lm[:, %d] = E[%d]", col, col);
        add(e, "x is the final norm's output at t=%d (station 4)", row);
        e->result = matmul_cell(e, &m->lm_head, NULL, col, xn, "x", "W_lm", err);
        if (isnan(e->result)) return -1;
        e->value = Trace_logits_row(t, b, row)[col];
        return 0;
    }
    case ST_SOFTMAX: {
        float *p = malloc(sizeof(float) * (size_t)V);
        if (!p) { sw_seterr(err, "out of memory"); return -1; }
        const double tau = temperature > 0 ? temperature : 1;
        Trace_probs_row(t, b, row, (float)tau, p);
        e->value = p[col];
        free(p);
        const float *lg = Trace_logits_row(t, b, row);
        int am = 0;
        for (int q = 1; q < V; q++) if (lg[q] > lg[am]) am = q;
        double sum = 0;
        for (int q = 0; q < V; q++) sum += exp((lg[q] - lg[am]) / tau);
        snprintf(e->title, sizeof e->title, "p[%d,%d,%d] = exp((logit − max)/τ) / Σ   token \"%s\"", b, row, col, label(t, col, lab, sizeof lab));
        add(e, "logits at t=%d: %d of them; max = %.6g (token \"%s\")", row, V, (double)lg[am], label(t, am, lab2, sizeof lab2));
        add(e, "τ = %.3g%s", tau, tau == 1 ? " (the model's own distribution)" : "");
        double ex = exp((lg[col] - lg[am]) / tau);
        add(e, "logit − max = %.6g − %.6g = %.6g", (double)lg[col], (double)lg[am], (double)lg[col] - lg[am]);
        add(e, "exp((logit − max)/τ) = %.6g", ex);
        add(e, "Σ over all %d tokens of exp((logit − max)/τ) = %.6g", V, sum);
        e->result = ex / sum;
        add(e, "p = %.6g / %.6g = %.6g", ex, sum, e->result);
        e->scale = 1;
        return 0;
    }
    case ST_NEXT: {
        const int nx = t->next_id[b];
        if (nx < 0) { sw_seterr(err, "row %d has no next token yet", b); return -1; }
        const int last = t->len[b] - 1;
        snprintf(e->title, sizeof e->title, "next[%d] = %d   \"%s\"", b, nx, label(t, nx, lab, sizeof lab));
        float pr = Trace_token_prob(t, b, last, nx);
        add(e, "the probabilities at the last position t=%d (station 6) choose it", last);
        add(e, "p(\"%s\") = %.6g there", lab, (double)pr);
        e->value = e->result = nx;
        e->scale = nx;
        return 0;
    }
    default: break;
    }
    sw_seterr(err, "nothing to explain at this station");
    return -1;
}
