/* quant.c - the quantization screen (Q): the current prompts run through a second model of
 * the same shape and vocabulary (a quantized copy: --compare PATH, or M here), and, for the
 * chosen row, position by position: each model's top-1 next token (same or flipped), the KL
 * divergence KL(P_ref || P_q) of their next-token distributions, the change of the actual
 * next token's loss; then a streams x positions heatmap of how far the quantized residual
 * stream has drifted from the reference (||x_q - x|| / ||x||) after the embedding and after
 * every block; the totals on top. Numbers: engine/compare.c, computed here when the trace
 * changes (the second model's forward pass runs on the UI thread: a copy the size of the
 * first, so as quick as one run of it). */
#include "tui/quant.h"
#include "app/compare_out.h"
#include "engine/compare.h"
#include "engine/qblock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Model *own;             /* opened here with M (freed with the screen) */
    const Model *q;         /* the compared model: own, or the command line's --compare */
    Trace *tq;
    Compare *c;
    /* the trace the comparison was made for */
    const Trace *for_t;
    int for_B, for_len[SW_MAX_B];
    unsigned long for_sum;
    char err[SW_ERR_LEN];
    int col0, row0;         /* scroll: first position column, first stream row */
    int asking;             /* M: reading a path */
    Editor ed;
    int walk_mode;          /* the walk's d: 0 the reference, 1 the second model, 2 the difference */
    /* w: inside a weight */
    int panel;              /* 0 the comparison, 1 a weight matrix's blocks */
    int mat, wrow, wblk;    /* which matrix (Model_matrix order), row, block */
    const Model *err_for;   /* qerr is of matrix err_mat of this model (NULL: none yet) */
    int err_mat, err_ok;
    QError qerr;
    float *diff;            /* the difference's numbers (contiguous), diff_cap floats */
    size_t diff_cap;
} Quant;

static void *quant_create(App *a) {
    Quant *s = calloc(1, sizeof *s);
    if (s) s->q = a->o->compare_model;
    return s;
}

static void forget(Quant *s) {
    Compare_free(s->c);
    Trace_free(s->tq);
    s->c = NULL;
    s->tq = NULL;
    s->for_t = NULL;
}

static void quant_destroy(void *self) {
    Quant *s = self;
    forget(s);
    Model_free(s->own);
    free(s->diff);
    free(s);
}

static unsigned long ids_sum(const Trace *t) {
    unsigned long h = 5381;
    for (int b = 0; b < t->B; b++)
        for (int p = 0; p < t->len[b]; p++) h = h * 33 + (unsigned long)Trace_id(t, b, p);
    return h;
}

/* The comparison for the current trace (made now if the trace changed): 1, or 0. */
static int sync(App *a, Quant *s) {
    Trace *t = a->trace;
    if (!s->q || !t || a->busy_gen) return 0;
    int same = s->c && s->for_t == t && s->for_B == t->B && s->for_sum == ids_sum(t);
    for (int b = 0; same && b < t->B; b++) same = s->for_len[b] == t->len[b];
    if (same) return 1;
    forget(s);
    s->err[0] = 0;
    s->tq = Compare_run(s->q, t, NULL, s->err);
    if (s->tq) s->c = Compare_build(t, s->tq, s->err);
    if (!s->c) return 0;
    s->for_t = t;
    s->for_B = t->B;
    s->for_sum = ids_sum(t);
    for (int b = 0; b < t->B; b++) s->for_len[b] = t->len[b];
    return 1;
}

static void clamp_sel(App *a) {
    if (!a->trace) return;
    if (a->vc.b < 0 || a->vc.b >= a->trace->B) a->vc.b = 0;
    int len = a->trace->len[a->vc.b];
    if (a->vc.pos >= len) a->vc.pos = len - 1;
    if (a->vc.pos < 0) a->vc.pos = 0;
}

static void quant_enter(App *a, void *self) { clamp_sel(a); }

#define LW 11   /* the row names' column */
#define CW 7    /* one position's column */

static void cell_label(const Tokenizer *tok, int id, char *buf, size_t cap) { Tokenizer_label(tok, id, 1, buf, cap); }

/* How a block of this type is stored, in one line. */
static const char *layout_line(int type) {
    switch (type) {
    case QT_Q4_0: return "a block: one 16-bit scale d and 32 codes of 4 bits (0..15): w = (code − 8) · d; 18 bytes for 32 weights";
    case QT_Q4_1: return "a block: 16-bit scale d and minimum m, 32 codes of 4 bits: w = code · d + m; 20 bytes for 32 weights";
    case QT_Q5_0: return "a block: 16-bit scale d, 32 codes of 5 bits (0..31): w = (code − 16) · d; 22 bytes for 32 weights";
    case QT_Q5_1: return "a block: 16-bit scale d and minimum m, 32 codes of 5 bits: w = code · d + m; 24 bytes for 32 weights";
    case QT_Q8_0: return "a block: one 16-bit scale d and 32 signed 8-bit codes (−128..127): w = code · d; 34 bytes for 32 weights";
    case QT_F32: return "no blocks: every weight is its own 32-bit float (shown 32 at a time)";
    case QT_F16: return "no blocks: every weight is its own 16-bit float (shown 32 at a time)";
    case QT_BF16: return "no blocks: every weight is its own bfloat16 (shown 32 at a time)";
    default: return "a K-quant super-block of 256 weights with 4- or 6-bit sub-block scales (codes not decoded here)";
    }
}

static void draw_weights(App *a, Quant *s, int y, int h) {
    WINDOW *w = stdscr;
    const int W = a->cols, bottom = y + h;
    char line[512], num[32], name[96], rname[96];
    int nm = Model_n_matrices(s->q);
    if (s->mat >= nm) s->mat = nm - 1;
    if (s->mat < 0) s->mat = 0;
    const Linear *Q = Model_matrix(s->q, s->mat, name, sizeof name);
    const Linear *R = Model_matrix(a->m, s->mat, rname, sizeof rname);
    if (!Q) return;
    if (!R || strcmp(name, rname) != 0 || R->in != Q->in || R->out != Q->out) R = NULL;
    if (s->wrow >= Q->out) s->wrow = Q->out - 1;
    if (s->wrow < 0) s->wrow = 0;
    QBlock qb, rb;
    if (QBlock_read(Q, s->wrow, 0, &qb) != 0) return;
    if (s->wblk >= qb.n_blocks) s->wblk = qb.n_blocks - 1;
    if (s->wblk < 0) s->wblk = 0;
    QBlock_read(Q, s->wrow, s->wblk, &qb);
    int have_ref = R && QBlock_read(R, s->wrow, s->wblk, &rb) == 0 && rb.n == qb.n;
    if (R && (s->err_for != s->q || s->err_mat != s->mat)) {
        char err[SW_ERR_LEN];
        s->err_ok = QError_measure(Q, R, &s->qerr, err) == 0;
        s->err_for = s->q;
        s->err_mat = s->mat;
    }
    const char *tn = Quant_name(qb.type) ? Quant_name(qb.type) : "?";
    snprintf(line, sizeof line, "inside a weight of %s: %s (%d of %d) · %s · %.4g bits per weight · %d rows of %d", CompareOut_name(s->q), name,
             s->mat + 1, nm, tn, qb.bits_per_weight, Q->out, Q->in);
    App_message(y, W, CA_TITLE, line);
    App_message(y + 1, W, CA_DIM, layout_line(qb.type));
    int bs = qb.n_blocks > 1 ? (Q->in + qb.n_blocks - 1) / qb.n_blocks : Q->in;
    if (qb.has_codes)
        snprintf(line, sizeof line, "row %d, block %d of %d (weights %d..%d): scale d = %.7g%s", s->wrow, s->wblk, qb.n_blocks, s->wblk * bs,
                 s->wblk * bs + qb.n - 1, qb.scale, qb.min != 0 ? "" : "");
    else
        snprintf(line, sizeof line, "row %d, block %d of %d (weights %d..%d)", s->wrow, s->wblk, qb.n_blocks, s->wblk * bs, s->wblk * bs + qb.n - 1);
    if (qb.has_codes && (qb.type == QT_Q4_1 || qb.type == QT_Q5_1)) {
        size_t o = strlen(line);
        snprintf(line + o, sizeof line - o, ", minimum m = %.7g", qb.min);
    }
    App_message(y + 2, W, CA_NORMAL, line);
    /* the block's weights, `per` to a line group: code / w_q / w_ref / error */
    int per = (W - LW) / CW;
    if (per >= 32) per = 32;
    else if (per >= 16) per = 16;
    else if (per >= 8) per = 8;
    double emax = s->err_ok && s->qerr.max_abs > 0 ? s->qerr.max_abs : 1e-12;
    int r = y + 4;
    char qlab[32], rlab[32];
    snprintf(qlab, sizeof qlab, "w %.6s", tn);
    snprintf(rlab, sizeof rlab, "w %.6s", a->m->weights);
    for (int j0 = 0; j0 < qb.n; j0 += per) {
        int rows = (qb.has_codes ? 1 : 0) + 1 + (have_ref ? 2 : 0);
        if (r + rows > bottom - 6) {   /* keep 5 lines: the error's summary, its histogram, the keys */
            App_message(r++, W, CA_DIM, "(more of the block below: make the terminal taller)");
            break;
        }
        for (int k = 0; k < 4; k++) {
            if ((k == 0 && !qb.has_codes) || (k >= 2 && !have_ref)) continue;
            mvwhline(w, r, 0, ' ', W);
            Crt_set(w, CA_DIM);
            View_text(w, r, 0, LW - 1, k == 0 ? "code" : k == 1 ? qlab : k == 2 ? rlab : "error", 1);
            Crt_set(w, CA_NORMAL);
            for (int j = j0; j < j0 + per && j < qb.n; j++) {
                int x = LW + (j - j0) * CW;
                if (k == 0) { snprintf(num, sizeof num, "%d", qb.codes[j]); View_text(w, r, x, CW - 1, num, 0); }
                else if (k == 1) { View_num(num, sizeof num, qb.w[j], CW - 1); View_text(w, r, x, CW - 1, num, 0); }
                else if (k == 2) { View_num(num, sizeof num, rb.w[j], CW - 1); Crt_set(w, CA_DIM); View_text(w, r, x, CW - 1, num, 0); Crt_set(w, CA_NORMAL); }
                else {
                    double e = (double)qb.w[j] - rb.w[j];
                    View_num(num, sizeof num, e, CW - 1);
                    Crt_text_on(w, r, x, CW - 1, SCALE_DIV, e / emax, num);
                }
            }
            r++;
        }
    }
    /* the rounding error over the whole matrix */
    if (R && s->err_ok && r + 4 < bottom) {
        const QError *e = &s->qerr;
        r++;
        snprintf(line, sizeof line, "rounding error w_%s − w_%s over all %ld weights: mean %+.2g, rms %.3g (%.1f%% of the weights' rms %.3g), largest |e| %.3g",
                 tn, a->m->weights, e->n, e->mean, e->rms, e->rms_w > 0 ? 100 * e->rms / e->rms_w : 0, e->rms_w, e->max_abs);
        App_message(r++, W, CA_NORMAL, line);
        long hm = 1;
        for (int k = 0; k < QERR_BINS; k++) if (e->hist[k] > hm) hm = e->hist[k];
        static const char *const bars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
        int bw = (W - LW) / QERR_BINS;
        if (bw > 4) bw = 4;
        if (bw < 1) bw = 1;
        /* bars up to 4 lines tall, in eighths of a line; a non-empty bin shows at least one eighth */
        int hl = bottom - 2 - (r + 1);
        if (hl > 4) hl = 4;
        if (hl < 1) hl = 1;
        for (int line_i = 0; line_i < hl; line_i++, r++) {
            mvwhline(w, r, 0, ' ', W);
            if (line_i == hl - 1) {
                Crt_set(w, CA_DIM);
                View_text(w, r, 0, LW - 1, "how many", 1);
            }
            Crt_set(w, CA_BAR);
            int below = hl - 1 - line_i;   /* lines under this one */
            for (int k = 0; k < QERR_BINS; k++) {
                int eighths = e->hist[k] ? 1 + (int)((8.0 * hl - 1) * (double)e->hist[k] / (double)hm + 0.5) : 0;
                int lv = eighths - 8 * below;
                if (lv < 0) lv = 0;
                if (lv > 8) lv = 8;
                for (int i = 0; i < bw - (bw > 1); i++) View_text(w, r, LW + k * bw + i, 1, bars[lv], 0);
            }
            Crt_set(w, CA_NORMAL);
        }
        mvwhline(w, r, 0, ' ', W);
        Crt_set(w, CA_DIM);
        View_text(w, r, 0, LW - 1, "error", 1);
        snprintf(num, sizeof num, "%+.3g", e->lo);
        View_text(w, r, LW, 8, num, 0);
        View_text(w, r, LW + (QERR_BINS / 2) * bw, 2, "0", 0);
        snprintf(num, sizeof num, "%+.3g", e->hi);
        View_text(w, r, LW + QERR_BINS * bw - View_width(num) - 1, 8, num, 0);
        Crt_set(w, CA_NORMAL);
    }
    Crt_set(w, CA_KEY);
    View_text(w, bottom - 1, 0, W,
              W >= 110 ? "[ ] matrix  ↑ ↓ row  ← → block  w back to the comparison  M another model  Esc back  ? help"
                       : "[ ] matrix  ↑↓ row  ←→ block  w comparison  Esc back  ? help",
              1);
    Crt_set(w, CA_NORMAL);
}

/* Splits a " · "-separated line that is wider than W into two at the last separator that
 * lets the first part fit; returns the number of lines (1 or 2) in first/rest. */
static int split_line(const char *line, int W, char *first, char *rest, size_t cap) {
    snprintf(first, cap, "%s", line);
    rest[0] = 0;
    if (View_width(line) <= W) return 1;
    const char *cut = NULL;
    for (const char *p = strstr(line, " · "); p; p = strstr(p + 1, " · ")) {
        snprintf(first, cap, "%.*s", (int)(p - line), line);
        if (View_width(first) > W) break;
        cut = p;
    }
    if (!cut) { snprintf(first, cap, "%s", line); return 1; }
    snprintf(first, cap, "%.*s", (int)(cut - line), line);
    snprintf(rest, cap, "%s", cut + strlen(" · "));
    return 2;
}

static void quant_draw(App *a, void *self, int y, int h) {
    Quant *s = self;
    WINDOW *w = stdscr;
    const int W = a->cols, bottom = y + h;
    char line[512], num[32], lab[64];
    if (s->asking) {
        Editor_draw(&s->ed, w, bottom - 1, 0, W, "model to compare (Enter opens, Esc cancels): ");
        h--;
    }
    if (!s->q) {
        App_message(y, W, CA_TITLE, "quantization: no second model to compare with");
        App_message(y + 2, W, CA_NORMAL, "Start with --compare PATH (the same model in another type, e.g. stories260K-q4_0.gguf");
        App_message(y + 3, W, CA_NORMAL, "against stories260K-f32.gguf), or press M and type its path.");
        if (!s->asking) App_message(bottom - 1, W, CA_KEY, "M open a model to compare  Esc back  ? help");
        return;
    }
    if (App_busy_message(a, y)) return;
    if (!sync(a, s)) {
        App_message(y, W, CA_ERROR, s->err[0] ? s->err : "cannot compare the models");
        return;
    }
    clamp_sel(a);
    if (s->panel == 1) { draw_weights(a, s, y, h); return; }
    const Compare *c = s->c;
    const Tokenizer *tok = a->m->tok;
    const int b = a->vc.b, len = c->len[b], L = c->L;
    const char *qw = s->q->weights[0] ? s->q->weights : "model";

    /* what is compared, and the totals */
    snprintf(line, sizeof line, "quantization: %s (%s) against %s (%s) · row %d of %d", CompareOut_name(s->q), qw,
             CompareOut_name(a->m), a->m->weights, b, c->B);
    if (View_width(line) > W)   /* narrow: the same facts, shorter */
        snprintf(line, sizeof line, "%s (%s) vs %s (%s) · row %d/%d", CompareOut_name(s->q), qw, CompareOut_name(a->m),
                 a->m->weights, b, c->B);
    App_message(y, W, CA_TITLE, line);
    if (c->n_loss)
        snprintf(line, sizeof line, "mean KL %.4f nats · top-1 same %d/%d (%.0f%%) · Δ mean loss %+.4f nats · perplexity %.3f → %.3f (Δ %+.3f)",
                 c->mean_kl, c->n_agree, c->n_pos, 100 * c->agree, c->dloss, c->ppl_ref, c->ppl_q, c->dppl);
    else
        snprintf(line, sizeof line, "mean KL %.4f nats · top-1 same %d/%d (%.0f%%)", c->mean_kl, c->n_agree, c->n_pos, 100 * c->agree);
    char part[2][512];
    int nl = split_line(line, W, part[0], part[1], sizeof part[0]);   /* a second line in the gap below */
    for (int k = 0; k < nl; k++) App_message(y + 1 + k, W, CA_NORMAL, part[k]);

    /* columns: keep the cursor's position in view */
    int ncols = (W - LW) / CW;
    if (ncols < 1) ncols = 1;
    if (a->vc.pos < s->col0) s->col0 = a->vc.pos;
    if (a->vc.pos >= s->col0 + ncols) s->col0 = a->vc.pos - ncols + 1;
    if (s->col0 > len - 1) s->col0 = len - 1 > 0 ? len - 1 : 0;
    if (s->col0 < 0) s->col0 = 0;
    int last = s->col0 + ncols < len ? s->col0 + ncols : len;

    /* the scales: this row's largest KL, |Δloss| and drift */
    double mkl = 1e-12, mdl = 1e-12, mrel = 1e-12;
    for (int t = 0; t < len; t++) {
        int i = Compare_at(c, b, t);
        if (c->kl[i] > mkl) mkl = c->kl[i];
        double dl = c->loss_q[i] - c->loss_ref[i];
        if (isfinite(dl) && fabs(dl) > mdl) mdl = fabs(dl);
        for (int st = 0; st <= L; st++) {
            double r = c->rel[Compare_sat(c, st, b, t)];
            if (isfinite(r) && r > mrel) mrel = r;
        }
    }

    int r = y + 3;
    char qname[32];
    snprintf(qname, sizeof qname, "%.5s top-1", qw);
    const char *names[] = {"token", "ref top-1", qname, "", "KL nats", "Δloss"};
    for (int row = 0; row < 6 && r < bottom - 2; row++, r++) {
        Crt_set(w, CA_DIM);
        mvwhline(w, r, 0, ' ', W);
        View_text(w, r, 0, LW - 1, names[row], 1);
        Crt_set(w, CA_NORMAL);
        for (int t = s->col0; t < last; t++) {
            int i = Compare_at(c, b, t), x = LW + (t - s->col0) * CW;
            int flip = c->top_ref[i] != c->top_q[i];
            switch (row) {
            case 0:
                cell_label(tok, Trace_id(a->trace, b, t), lab, sizeof lab);
                Crt_set(w, t == a->vc.pos ? CA_CURSOR : CA_NORMAL);
                View_text(w, r, x, CW - 1, lab, 1);
                break;
            case 1: case 2:
                cell_label(tok, row == 1 ? c->top_ref[i] : c->top_q[i], lab, sizeof lab);
                Crt_set(w, flip ? (row == 2 ? CA_ERROR : CA_TITLE) : CA_DIM);
                View_text(w, r, x, CW - 1, lab, 1);
                break;
            case 3:
                Crt_set(w, flip ? CA_ERROR : CA_DIM);
                View_text(w, r, x, CW - 1, flip ? "FLIP" : "same", 0);
                break;
            case 4:
                View_num(num, sizeof num, c->kl[i], CW - 1);
                Crt_text_on(w, r, x, CW - 1, SCALE_SEQ, c->kl[i] / mkl, num);
                break;
            case 5: {
                double dl = c->loss_q[i] - c->loss_ref[i];
                if (!isfinite(dl)) { Crt_set(w, CA_DIM); View_text(w, r, x, CW - 1, "  -", 0); break; }
                View_num(num, sizeof num, dl, CW - 1);
                Crt_text_on(w, r, x, CW - 1, SCALE_DIV, dl / mdl, num);
                break;
            }
            }
            Crt_set(w, CA_NORMAL);
        }
    }

    /* the cursor's position in words (drawn below the heatmap, on two lines when narrow) */
    char cpart[2][512];
    int ncur;
    {
        int t = a->vc.pos, i = Compare_at(c, b, t), st = L;
        char ra[64], qa[64];
        cell_label(tok, c->top_ref[i], ra, sizeof ra);
        cell_label(tok, c->top_q[i], qa, sizeof qa);
        cell_label(tok, Trace_id(a->trace, b, t), lab, sizeof lab);
        int o = snprintf(line, sizeof line, "t=%d '%s': ref says '%s', %s says '%s'%s · KL %.4f · drift after block %d %.3f, cos %.4f",
                         t, lab, ra, qw, qa, c->top_ref[i] != c->top_q[i] ? " (flipped)" : "", c->kl[i], st,
                         c->rel[Compare_sat(c, st, b, t)], c->cos[Compare_sat(c, st, b, t)]);
        double dl = c->loss_q[i] - c->loss_ref[i];
        if (isfinite(dl) && o > 0 && (size_t)o < sizeof line)
            snprintf(line + o, sizeof line - (size_t)o, " · loss %.3f → %.3f", c->loss_ref[i], c->loss_q[i]);
        ncur = split_line(line, W, cpart[0], cpart[1], sizeof cpart[0]);
    }

    /* the drift heatmap: one row per stream, the rows that fit */
    if (r < bottom - 2 - ncur) {
        App_message(r++, W, CA_DIM, "residual drift ‖x_q − x‖/‖x‖ after (brighter = further; ↑ ↓ scroll):");
        int rows = bottom - 1 - ncur - r;
        if (rows > L + 1) rows = L + 1;
        if (s->row0 > L + 1 - rows) s->row0 = L + 1 - rows;
        if (s->row0 < 0) s->row0 = 0;
        for (int k = 0; k < rows; k++, r++) {
            int st = s->row0 + k;
            mvwhline(w, r, 0, ' ', W);
            Crt_set(w, CA_DIM);
            if (st == 0) snprintf(lab, sizeof lab, "embedding");
            else snprintf(lab, sizeof lab, "block %d", st);
            View_text(w, r, 0, LW - 1, lab, 1);
            Crt_set(w, CA_NORMAL);
            for (int t = s->col0; t < last; t++) {
                double v = c->rel[Compare_sat(c, st, b, t)];
                View_num(num, sizeof num, v, CW - 1);
                Crt_text_on(w, r, LW + (t - s->col0) * CW, CW - 1, SCALE_SEQ, isfinite(v) ? v / mrel : 1, num);
            }
            /* the row's mean over its positions, where there is room on the right */
            int xm = LW + (last - s->col0) * CW + 1;
            if (xm + 12 <= W) {
                double sum = 0;
                for (int t = 0; t < len; t++) sum += c->rel[Compare_sat(c, st, b, t)];
                Crt_set(w, CA_DIM);
                View_printf(w, r, xm, W - xm, "mean %.4f", len ? sum / len : 0);
                Crt_set(w, CA_NORMAL);
            }
        }
    }

    for (int k = 0; k < ncur && r < bottom - 1; k++) App_message(r++, W, CA_NORMAL, cpart[k]);
    if (!s->asking) {
        Crt_set(w, CA_KEY);
        View_text(w, bottom - 1, 0, W,
                  W >= 110 ? "← → position  ↑ ↓ scroll the blocks  b row  w inside a weight  M another model  Esc back  ? help"
                           : "←→ position  ↑↓ blocks  b row  w weight  M model  Esc back  ? help",
                  1);
        Crt_set(w, CA_NORMAL);
    }
}

static void quant_where(App *a, void *self, char *buf, size_t cap) {
    Quant *s = self;
    if (s && s->q && s->panel == 1) snprintf(buf, cap, "quantization · inside a weight · row %d block %d", s->wrow, s->wblk);
    else if (s && s->q) snprintf(buf, cap, "quantization · %s · t=%d · row %d", s->q->weights, a->vc.pos, a->vc.b);
    else snprintf(buf, cap, "quantization");
}

static void open_model(App *a, Quant *s, const char *path) {
    char err[SW_ERR_LEN];
    Model *m = Compare_open(a->m, path, NULL, err);
    if (!m) { App_status(a, 1, "%s", err); return; }
    forget(s);
    Model_free(s->own);
    s->own = m;
    s->q = m;
    App_status(a, 0, "comparing with %s (%s)", CompareOut_name(m), m->weights);
}

static int quant_key(App *a, void *self, int ch) {
    Quant *s = self;
    if (s->asking) {
        int code = ch >= KEY_MIN;
        EdResult r = Editor_key(&s->ed, code ? KEY_CODE_YES : OK, (wint_t)ch);
        if (r == ED_CANCEL) s->asking = 0;
        else if (r == ED_ACCEPT) {
            char *p = Editor_text(&s->ed);
            s->asking = 0;
            if (p && *p) open_model(a, s, p);
            free(p);
        }
        return 1;
    }
    if (ch == 'w') {
        s->panel = !s->panel;
        return 1;
    }
    if (s->panel == 1) {
        switch (ch) {
        case '[': s->mat--; s->wblk = 0; return 1;
        case ']': s->mat++; s->wblk = 0; return 1;
        case KEY_UP: case 'k': s->wrow--; return 1;
        case KEY_DOWN: case 'j': s->wrow++; return 1;
        case KEY_LEFT: case 'h': case ',': s->wblk--; return 1;
        case KEY_RIGHT: case 'l': case '.': case ' ': s->wblk++; return 1;
        case KEY_HOME: s->wrow = 0; s->wblk = 0; return 1;
        default: break;
        }
    }
    switch (ch) {
    case KEY_LEFT: case 'h': case ',': a->vc.pos--; break;
    case KEY_RIGHT: case 'l': case '.': case ' ': a->vc.pos++; break;
    case KEY_HOME: case '0': a->vc.pos = 0; break;
    case KEY_END: case '$': if (a->trace) a->vc.pos = a->trace->len[a->vc.b] - 1; break;
    case KEY_UP: case '[': s->row0--; break;
    case KEY_DOWN: case ']': s->row0++; break;
    case 'b': case 'B':
        if (a->trace && a->trace->B > 1) a->vc.b = (a->vc.b + (ch == 'b' ? 1 : a->trace->B - 1)) % a->trace->B;
        break;
    case 'M':
        s->asking = 1;
        Editor_set(&s->ed, s->q ? s->q->path : "");
        break;
    case 27: App_back(a); return 1;
    default: return 0;
    }
    clamp_sel(a);
    return 1;
}

static int quant_takes_text(App *a, void *self) { return ((Quant *)self)->asking; }

static const char *quant_hint(App *a, void *self) {
    const Quant *s = self;
    if (s->asking) return "type a model's path · Enter opens it · Esc cancels";
    return s->panel == 1 ? "[ ] matrix  ↑ ↓ row  ← → block  w comparison  Esc back  ? help  q quit"
                         : "← → position  b row  w weight  M other model  Esc back  ? help  q quit";
}

static const char *const quant_help[] = {
    "The prompts run through a second model of the same shape and vocabulary",
    "(--compare PATH, or M): per position each model's top-1 (same / FLIP), the",
    "KL(P_ref || P_q) of the next-token distributions and the change of the next",
    "token's loss; below, how far the residual stream has drifted, per block.",
    "← → , . h l      previous / next position  Home End  first / last",
    "↑ ↓ [ ]          scroll the blocks' rows (deep models)",
    "b B              next / previous batch row (prompt)",
    "M                compare with another model: type its path",
    "w                inside a weight: one block's scale and codes, the values, the",
    "                 rounding error against the reference ([ ] matrix, ↑ ↓ row, ← → block)",
    "Esc              back to the screen that opened this one (the walk, the lesson)",
    NULL,
};

/* ---- the walk's d ---- */

void Quant_walk_cycle(App *a, StationRef st) {
    Quant *s = App_state(a, &Screen_quant);
    if (!s) return;
    if (!s->q) {
        s->walk_mode = 0;
        App_status(a, 1, "d compares with a second model: start with --compare PATH, or press Q then M to open one");
        return;
    }
    s->walk_mode = (s->walk_mode + 1) % 3;
    const char *qw = s->q->weights, *rw = a->m->weights;
    if (s->walk_mode == 0) App_status(a, 0, "d: the reference (%s) · next: %s", rw, qw);
    else if (s->walk_mode == 1) App_status(a, 0, "d: the second model (%s, %s) · next: the difference", qw, CompareOut_name(s->q));
    else App_status(a, 0, "d: the difference %s − %s · next: the reference", qw, rw);
    ViewKind vk = Station_info(st.kind)->view;
    if (s->walk_mode && (vk == VK_TOKENS || vk == VK_TOPK || vk == VK_NEXT))
        App_status(a, 0, "d: heatmaps show %s; this picture is the reference's (Q compares predictions)",
                   s->walk_mode == 1 ? qw : "the difference");
}

void Quant_walk_adjust(App *a, StationRef st, int which, ViewCtx *c) {
    Quant *s = App_state(a, &Screen_quant);
    if (!s || !s->walk_mode || !c->has_tv || !sync(a, s)) return;
    char err[SW_ERR_LEN];
    TensorView tq;
    if (Trace_tensor(s->tq, st, which, &tq, err) != 0 || tq.ndim != c->tv.ndim) return;
    for (int d = 0; d < tq.ndim; d++)
        if (tq.dims[d] != c->tv.dims[d]) return;
    char name[64];
    const char *qw = s->q->weights;
    if (s->walk_mode == 1) {
        c->tv = tq;
        snprintf(name, sizeof name, "%.12s [%s]", c->tensor_name, qw);
    } else {
        /* second - reference, laid out contiguously (the two traces' strides differ) */
        int dims[4] = {1, 1, 1, 1};
        size_t n = 1;
        for (int d = 0; d < tq.ndim; d++) { dims[d] = tq.dims[d]; n *= (size_t)tq.dims[d]; }
        if (n > s->diff_cap) {
            float *nd = realloc(s->diff, sizeof(float) * n);
            if (!nd) return;
            s->diff = nd;
            s->diff_cap = n;
        }
        long st4[4] = {0, 0, 0, 0}, sr[4] = {0, 0, 0, 0}, sq[4] = {0, 0, 0, 0};
        for (int d = 0; d < tq.ndim; d++) { sr[d] = c->tv.stride[d]; sq[d] = tq.stride[d]; }
        st4[3] = 1;
        for (int d = 2; d >= 0; d--) st4[d] = st4[d + 1] * dims[d + 1];
        for (int i0 = 0; i0 < dims[0]; i0++)
            for (int i1 = 0; i1 < dims[1]; i1++)
                for (int i2 = 0; i2 < dims[2]; i2++)
                    for (int i3 = 0; i3 < dims[3]; i3++) {
                        long r = i0 * sr[0] + i1 * sr[1] + i2 * sr[2] + i3 * sr[3];
                        long q = i0 * sq[0] + i1 * sq[1] + i2 * sq[2] + i3 * sq[3];
                        s->diff[i0 * st4[0] + i1 * st4[1] + i2 * st4[2] + i3 * st4[3]] = tq.data[q] - c->tv.data[r];
                    }
        for (int d = 0; d < tq.ndim; d++) c->tv.stride[d] = st4[d];   /* row-major over the same axes */
        c->tv.data = s->diff;
        c->scale = SCALE_DIV;   /* a difference is signed, even of probabilities */
        snprintf(name, sizeof name, "Δ%.12s [%s−%s]", c->tensor_name, qw, a->m->weights);
    }
    snprintf(c->tensor_name, sizeof c->tensor_name, "%.23s", name);
    char wn[sizeof c->which_name];
    snprintf(wn, sizeof wn, "%s", c->which_name);
    if (wn[0]) snprintf(c->which_name, sizeof c->which_name, "%.10s: %.50s", s->walk_mode == 1 ? qw : "difference", wn);
}

const Screen Screen_quant = {
    .name = "quantization: the model against a quantized copy",
    .hotkey = 'Q',
    .create = quant_create,
    .destroy = quant_destroy,
    .enter = quant_enter,
    .draw = quant_draw,
    .key = quant_key,
    .help = quant_help,
    .where = quant_where,
    .hint = quant_hint,
    .takes_text = quant_takes_text,
};
