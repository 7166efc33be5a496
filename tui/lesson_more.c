/* lesson_more.c - four lesson pages worked on this model's own numbers: the norm at the start
 * of block 1 (LayerNorm or RMSNorm, step by step on one token's row), the causal mask (one
 * row of scores before and after it, and who may see whom), attention's softmax (one row of
 * scores to weights), and a glossary of the letters (the legend's own lines, tui/legend.c)
 * and words the walk uses, with this model's sizes. Each number the page works out is set
 * beside the model's own. */
#include "tui/lesson.h"
#include "tui/legend.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void LessonMore_title(PageKind k, char *buf, size_t cap) {
    switch (k) {
    case PG_NORM: snprintf(buf, cap, "3 blocks — the norm: one token's D numbers rescaled"); break;
    case PG_MASK: snprintf(buf, cap, "3 blocks — the causal mask: no token looks at the future"); break;
    case PG_ATTNSM: snprintf(buf, cap, "3 blocks — attention's softmax: a row of scores becomes weights"); break;
    case PG_GLOSS: snprintf(buf, cap, "0 glossary — the letters and words of the walk, with this model's sizes"); break;
    default: buf[0] = 0; break;
    }
}

const char *LessonMore_notice(PageKind k) {
    switch (k) {
    case PG_NORM:
        return "Whatever their size, a token's numbers come out on one scale (LayerNorm: mean 0, std 1; RMSNorm: rms 1); then the learned g scales each.";
    case PG_MASK:
        return "Scores exist for every pair, the future too; -inf above the diagonal makes exp give 0, so weights fall on the token and those before it.";
    case PG_ATTNSM:
        return "Each query's row of scores is a softmax of its own: subtract the row's max, exp, divide by the sum: weights > 0 that add up to 1.";
    case PG_GLOSS:
        return "Capital letters are sizes of axes: (B,T,D) says how many of each. Small d is one head's size, D the whole width.";
    default: return "";
    }
}

const char *LessonMore_keys(PageKind k) {
    switch (k) {
    case PG_NORM: return "↑↓ the token t · b row · → next · ← back · 3 ⏎ station · ? help";
    case PG_MASK: return "↑↓ the query t · Tab next head · b row · → next · ← back · ? help";
    case PG_ATTNSM: return "↑↓ the query t · Tab next head · b row · → next · ← back · ? help";
    case PG_GLOSS: return "↑↓ scroll · → next · ← back · 1 ⏎ station 1 · ? help";
    default: return "";
    }
}

static int row_of(App *a) { return a->trace && a->vc.b >= 0 && a->vc.b < a->trace->B ? a->vc.b : 0; }

/* The page's position: its own, kept inside the row (-1: the last, or the middle for the mask). */
static int pos_of(Lesson *ls, App *a, int dflt_middle) {
    int len = a->trace->len[row_of(a)];
    int p = ls->more_t;
    if (p < 0 || p >= len) p = dflt_middle ? len / 2 : len - 1;
    return p;
}

int LessonMore_key(Lesson *ls, App *a, PageKind k, int ch) {
    int up = ch == KEY_UP || ch == ',' || ch == 'k';
    int down = ch == KEY_DOWN || ch == '.' || ch == 'j';
    if (k == PG_GLOSS) {
        if (up && ls->more_first > 0) { ls->more_first--; return 1; }
        if (down) { ls->more_first++; return 1; }
        return up;
    }
    if (!a->trace) return 0;
    if (up || down) {
        int p = pos_of(ls, a, k == PG_MASK) + (down ? 1 : -1);
        int len = a->trace->len[row_of(a)];
        if (p < 0) p = 0;
        if (p >= len) p = len - 1;
        ls->more_t = p;
        return 1;
    }
    if (ch == '\t' && k != PG_NORM) { ls->more_head = (ls->more_head + 1) % a->m->c.n_heads; return 1; }
    return 0;
}

/* "[a, b, c, ...]": the first n of x. */
static void first(char *buf, size_t cap, const float *x, int n, int of) {
    size_t o = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < n && o < cap; i++) o += (size_t)snprintf(buf + o, cap - o, "%s%.4f", i ? ", " : "", x[i]);
    if (o < cap) snprintf(buf + o, cap - o, "%s]", of > n ? ", ..." : "");
}

static void line(int *y, int bottom, CrtAttr ca, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void line(int *y, int bottom, CrtAttr ca, const char *fmt, ...) {
    if (*y >= bottom) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    Crt_set(stdscr, ca);
    View_text(stdscr, *y, 0, COLS, buf, 1);
    Crt_set(stdscr, CA_NORMAL);
    (*y)++;
}

/* s cut or padded with spaces to width columns (right-aligned when right); the bytes written. */
static int padded(char *out, size_t cap, const char *s, int width, int right) {
    char cut[VIEW_LABEL];
    snprintf(cut, sizeof cut, "%s", s);
    while (View_width(cut) > width - right && cut[0]) {   /* drop whole UTF-8 characters from the end */
        size_t n = strlen(cut);
        do n--; while (n > 0 && (cut[n] & 0xC0) == 0x80);
        cut[n] = 0;
    }
    int pad = width - View_width(cut);
    int o = 0;
    if (right) o = snprintf(out, cap, "%*s%s", pad, "", cut);
    else o = snprintf(out, cap, "%s%*s", cut, pad, "");
    return o < 0 ? 0 : o >= (int)cap ? (int)cap - 1 : o;
}

/* ---- the norm ---- */

static void page_norm(Lesson *ls, App *a, int y, int h) {
    Trace *t = a->trace;
    const Model *m = a->m;
    const int D = m->c.dim, bottom = y + h, b = row_of(a), pos = pos_of(ls, a, 0);
    const int rms = m->c.norm == NORM_RMSNORM;
    const int n = D < 5 ? D : 5;
    char err[SW_ERR_LEN] = "", v[256];
    const LayerRec *rec = Trace_layer(t, 0, err);
    if (!rec) { App_message(y, a->cols, CA_ERROR, err[0] ? err : "out of memory"); return; }
    const float *x = Trace_resid(t, 0, b, pos);
    const float *g = m->layers[0].attn_norm, *bb = m->layers[0].attn_norm_b;
    const float *own = rec->norm1 + ((size_t)b * t->Tcap + pos) * D;
    float *out = malloc(sizeof(float) * (size_t)D * 2);
    if (!out) return;
    float *scaled = out + D;
    if (rms) line(&y, bottom, CA_MATHS, "xn = x / rms(x) * g,   rms(x) = √(Σ x² / D + eps)   (RMSNorm, eps = %g)", (double)m->c.norm_eps);
    else line(&y, bottom, CA_MATHS, "xn = (x − μ) / √(σ² + eps) * g + b   (LayerNorm, eps = %g)", (double)m->c.norm_eps);
    y++;
    first(v, sizeof v, x, n, D);
    line(&y, bottom, CA_NORMAL, "x = the residual entering block 1 at t=%d \"%s\" (row b=%d): D = %d numbers", pos, TokenTable_label(&a->tok, b, pos), b, D);
    line(&y, bottom, CA_NORMAL, "  x[0:%d] = %s", n, v);
    double mean = 0, var = 0, ss = 0;
    for (int i = 0; i < D; i++) { mean += x[i]; ss += (double)x[i] * x[i]; }
    mean /= D;
    for (int i = 0; i < D; i++) var += (x[i] - mean) * (x[i] - mean);
    var /= D;
    double scale;
    if (rms) {
        scale = sqrt(ss / D + m->c.norm_eps);
        line(&y, bottom, CA_NORMAL, "  Σ x² / D = %.6f   (no mean is taken away: RMSNorm only rescales)", ss / D);
        line(&y, bottom, CA_NORMAL, "  rms(x) = √(%.6f + %g) = %.6f", ss / D, (double)m->c.norm_eps, scale);
        for (int i = 0; i < D; i++) scaled[i] = (float)(x[i] / scale);
        first(v, sizeof v, scaled, n, D);
        line(&y, bottom, CA_NORMAL, "  x / rms[0:%d] = %s", n, v);
    } else {
        scale = sqrt(var + m->c.norm_eps);
        line(&y, bottom, CA_NORMAL, "  mean μ = Σ x / D = %.6f", mean);
        line(&y, bottom, CA_NORMAL, "  variance σ² = Σ (x − μ)² / D = %.6f;  √(σ² + %g) = %.6f", var, (double)m->c.norm_eps, scale);
        for (int i = 0; i < D; i++) scaled[i] = (float)((x[i] - mean) / scale);
        first(v, sizeof v, scaled, n, D);
        line(&y, bottom, CA_NORMAL, "  (x − μ) / √(σ² + eps) [0:%d] = %s", n, v);
    }
    first(v, sizeof v, g, n, D);
    line(&y, bottom, CA_NORMAL, "  g[0:%d] = %s   (learned)", n, v);
    if (bb) {
        first(v, sizeof v, bb, n, D);
        line(&y, bottom, CA_NORMAL, "  b[0:%d] = %s", n, v);
    }
    double worst = 0, amax = 0;
    for (int i = 0; i < D; i++) {
        out[i] = scaled[i] * g[i] + (bb ? bb[i] : 0);
        double d = fabs(out[i] - own[i]);
        if (d > worst) worst = d;
        if (fabs(own[i]) > amax) amax = fabs(own[i]);
    }
    first(v, sizeof v, out, n, D);
    line(&y, bottom, CA_TITLE, "  xn[0:%d] = %s", n, v);
    first(v, sizeof v, own, n, D);
    /* the page sums in double, the model in float: agreement to a few float roundings of |xn| */
    int same = worst <= 1e-4 * (amax > 1 ? amax : 1);
    line(&y, bottom, same ? CA_OK : CA_ERROR, "  model's xn = %s %s", v, same ? "✓ same" : "✗ differs");
    if (y < bottom) y++;
    double m2 = 0, s2 = 0;
    for (int i = 0; i < D; i++) { m2 += scaled[i]; s2 += (double)scaled[i] * scaled[i]; }
    double mm = fabs(m2 / D) < 5e-5 ? 0 : m2 / D;   /* no "-0.0000" */
    line(&y, bottom, CA_DIM, "before g: mean %.4f, %s %.4f, whatever x's size (|x| = %.3f)", mm, rms ? "rms" : "std", sqrt(s2 / D - (rms ? 0 : (m2 / D) * (m2 / D))), sqrt(ss));
    free(out);
}

/* ---- the mask and attention's softmax ---- */

#define KW 9   /* a key's column */

/* Keys [k0, k1) shown for query q in a width: the query and the ones before it first. */
static void key_window(int q, int len, int width, int *k0, int *k1) {
    int n = (width - 14) / KW;
    if (n < 2) n = 2;
    *k0 = q + 2 - n;
    if (*k0 < 0) *k0 = 0;
    *k1 = *k0 + n;
    if (*k1 > len) *k1 = len;
}

static void page_mask(Lesson *ls, App *a, int y, int h) {
    Trace *t = a->trace;
    const int bottom = y + h, b = row_of(a), q = pos_of(ls, a, 1), len = t->len[b], H = a->m->c.n_heads, Tc = t->Tcap;
    const int hh = ls->more_head % H;
    char err[SW_ERR_LEN] = "", buf[512];
    const LayerRec *rec = Trace_layer(t, 0, err);
    if (!rec) { App_message(y, a->cols, CA_ERROR, err[0] ? err : "out of memory"); return; }
    const float *S = rec->scores + (((size_t)b * H + hh) * Tc + q) * Tc;
    const float *A = rec->probs + (((size_t)b * H + hh) * Tc + q) * Tc;
    int k0, k1;
    key_window(q, len, a->cols, &k0, &k1);
    line(&y, bottom, CA_MATHS, "S' = S + mask: 0 where key <= t, -inf where key > t;  A = softmax(S')");
    line(&y, bottom, CA_NORMAL, "block 1, head %d of %d, row b=%d: the query t=%d \"%s\"", hh, H, b, q, TokenTable_label(&a->tok, b, q));
    int o;
#define ROW(title, expr)                                                                        \
    do {                                                                                        \
        o = snprintf(buf, sizeof buf, "%-14s", title);                                          \
        for (int j = k0; j < k1 && o < (int)sizeof buf; j++) { expr; }                          \
        line(&y, bottom, CA_NORMAL, "%s", buf);                                                 \
    } while (0)
    ROW("key", {
        o += padded(buf + o, sizeof buf - (size_t)o, TokenTable_label(&a->tok, b, j), KW, 1);
    });
    ROW("S[t, key]", o += snprintf(buf + o, sizeof buf - (size_t)o, "%8.3f ", S[j]));
    ROW("+ mask", o += snprintf(buf + o, sizeof buf - (size_t)o, "%8s ", j > q ? "-inf" : "0"));
    ROW("= S'", { if (j > q) o += snprintf(buf + o, sizeof buf - (size_t)o, "%8s ", "-inf"); else o += snprintf(buf + o, sizeof buf - (size_t)o, "%8.3f ", S[j]); });
    ROW("A = softmax", o += snprintf(buf + o, sizeof buf - (size_t)o, "%8.4f ", j > q ? 0.0 : A[j]));
#undef ROW
    line(&y, bottom, CA_DIM, "(exp(-inf) = 0: the keys after t get no weight, whatever their score was)");
    /* who may see whom: a triangle over the first tokens */
    int n = len < 10 ? len : 10;
    if (bottom - y < n + 2) n = bottom - y - 2;
    if (n < 2) return;
    line(&y, bottom, CA_TITLE, "who may look at whom (row t: the keys it sees ●, masked ·)%s", len > n ? "  — the first tokens" : "");
    for (int i = 0; i < n && y < bottom; i++) {
        o = snprintf(buf, sizeof buf, "%3d ", i);
        o += padded(buf + o, sizeof buf - (size_t)o, TokenTable_label(&a->tok, b, i), 9, 0);
        for (int j = 0; j < n && o + 4 < (int)sizeof buf; j++) o += snprintf(buf + o, sizeof buf - (size_t)o, "%s", j <= i ? " ●" : " ·");
        line(&y, bottom, i == q ? CA_TITLE : CA_NORMAL, "%s", buf);
    }
}

static void page_attnsm(Lesson *ls, App *a, int y, int h) {
    Trace *t = a->trace;
    const int bottom = y + h, b = row_of(a), q = pos_of(ls, a, 0), H = a->m->c.n_heads, Tc = t->Tcap;
    const int hh = ls->more_head % H;
    char err[SW_ERR_LEN] = "";
    const LayerRec *rec = Trace_layer(t, 0, err);
    if (!rec) { App_message(y, a->cols, CA_ERROR, err[0] ? err : "out of memory"); return; }
    const float *S = rec->scores + (((size_t)b * H + hh) * Tc + q) * Tc;
    const float *A = rec->probs + (((size_t)b * H + hh) * Tc + q) * Tc;
    line(&y, bottom, CA_MATHS, "A[t, key] = exp(S[t, key] − max) / Σ exp(S[t, ·] − max)   over the keys 0..t");
    line(&y, bottom, CA_NORMAL, "block 1, head %d of %d, row b=%d: the query t=%d \"%s\" and its %d keys", hh, H, b, q, TokenTable_label(&a->tok, b, q), q + 1);
    double mx = -INFINITY, sum = 0;
    for (int j = 0; j <= q; j++) if (S[j] > mx) mx = S[j];
    for (int j = 0; j <= q; j++) sum += exp(S[j] - mx);
    line(&y, bottom, CA_NORMAL, "max = %.4f   Σ exp(S − max) = %.4f", mx, sum);
    line(&y, bottom, CA_TITLE, "  key                S   S − max   exp(S − max)    A = exp / Σ  the model's A");
    /* the rows that fit: the query's nearest keys when there are many */
    int room = bottom - y - 2;
    int j0 = q + 1 > room ? q + 1 - room : 0;
    double worst = 0, asum = 0;
    for (int j = 0; j <= q; j++) {
        double e = exp(S[j] - mx), p = e / sum;
        asum += A[j];
        if (fabs(p - A[j]) > worst) worst = fabs(p - A[j]);
        if (j < j0 || y >= bottom - 2) continue;
        char lab[64];
        padded(lab, sizeof lab, TokenTable_label(&a->tok, b, j), 9, 0);
        line(&y, bottom, CA_NORMAL, "%3d %s %8.4f %9.4f %14.6f %14.6f %14.6f", j, lab, S[j], S[j] - mx, e, p, A[j]);
    }
    /* the model's softmax is in float: a few roundings of a weight <= 1 */
    line(&y, bottom, worst <= 1e-5 ? CA_OK : CA_ERROR, "Σ A = %.6f   %s", asum,
         worst <= 1e-5 ? "✓ the page's weights are the model's (3.1.f)" : "✗ the page's weights differ from the model's");
    line(&y, bottom, CA_DIM, "the largest score gets exp(0) = 1, the others less; / Σ makes them add to 1");
}

/* ---- the glossary ---- */

#define GLOSS_MAX 32

/* Lines a meaning takes wrapped at column col: View_wrap above the screen draws nothing and counts. */
static int gloss_height(const char *what, int col) { return what[0] ? View_wrap(stdscr, -1000, col, COLS - col, 3, what) : 1; }

/* The letters as the legend defines them (tui/legend.c), a blank line, then the words. */
static void page_gloss(Lesson *ls, App *a, int y, int h) {
    const Config *c = &a->m->c;
    const Trace *t = a->trace;
    static char term[GLOSS_MAX][32], what[GLOSS_MAX][LEGEND_W];
    int nl = Legend_letters(a, term, what, GLOSS_MAX);
    int n = nl;
#define G(t_, ...) do { if (n < GLOSS_MAX) { snprintf(term[n], sizeof term[0], "%s", t_); snprintf(what[n++], sizeof what[0], __VA_ARGS__); } } while (0)
    G("", "%s", "");
    G("token", "a piece of text the model reads as one unit: \"%s\"", t && t->len[0] > 1 ? TokenTable_label(&a->tok, 0, 1) : "␣the");
    G("embedding", "the row E[id] of D numbers a token starts as (station 1)");
    G("residual", "x, the running (B,T,D) numbers: every block adds its result to it");
    G("head", "one attention of h in a block, with its own q, k, v of d numbers");
    G("q k v", "query (what a token looks for), key (what it offers), value (what it gives)");
    G("score", "S = q · k / √d: how well a query matches a key (3.l.d)");
    G("mask", "-inf added above the diagonal, so no token looks at a later one (3.l.e)");
    G("softmax", "p = exp(x − max) / Σ exp(x − max): positive numbers that add up to 1");
    G("norm", "%s: rescales each token's D numbers (3.l.a, 3.l.i, 4)", c->norm == NORM_RMSNORM ? "RMSNorm" : "LayerNorm");
    G("MLP", "per token: up to F numbers, an activation, back down to D (3.l.j, 3.l.k)");
    G("logit", "a raw score for every token of the vocabulary (station 5); softmax makes them p");
    G("τ (tau)", "the temperature: logits / τ before softmax; small τ sharpens, large flattens");
    G("W", "a weight matrix, learned in training: x @ W (in, out); W in the walk shows them");
#undef G
    /* the letters' meanings at column 6 as on the legend screen, the words' at 12 */
#define COL(i) ((i) < nl ? 6 : 12)
    const int bottom = y + h;
    int last = n, used = 0;   /* the first entry from which the rest fills the page: scrolling stops there */
    while (last > 0 && used + gloss_height(what[last - 1], COL(last - 1)) <= h) {
        last--;
        used += gloss_height(what[last], COL(last));
    }
    if (ls->more_first > last) ls->more_first = last;
    for (int i = ls->more_first; i < n && y < bottom; i++) {
        Crt_set(stdscr, CA_TITLE);
        View_text(stdscr, y, 1, COL(i) - 2, term[i], 1);
        Crt_set(stdscr, CA_NORMAL);
        y += what[i][0] ? View_wrap(stdscr, y, COL(i), COLS - COL(i), bottom - y < 3 ? bottom - y : 3, what[i]) : 1;
    }
#undef COL
}

void LessonMore_draw(Lesson *ls, App *a, PageKind k, int y, int h) {
    switch (k) {
    case PG_NORM: page_norm(ls, a, y, h); break;
    case PG_MASK: page_mask(ls, a, y, h); break;
    case PG_ATTNSM: page_attnsm(ls, a, y, h); break;
    case PG_GLOSS: page_gloss(ls, a, y, h); break;
    default: break;
    }
}
