/* xent.c - cross-entropy at one position, in the lesson's terms.
 *
 * The model's prediction at t-1 is a distribution Q over the V tokens; the data says the
 * next token is c (the token actually at t), written as the one-hot P (P[c] = 1, all other
 * P[v] = 0). Then
 *     H(P,Q) = -sum_v P[v] log Q[v] = -log Q[c]
 * because every term but c's is multiplied by 0. The table shows a few of those terms. */
#include "views/inspect_views.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The columns after the token: P[v] (5 wide), Q[v] (11), the term. */
static void columns(WINDOW *w, int y, int x, int maxw, int lw, const char *p, const char *q, const char *term) {
    if (lw + 5 <= maxw) View_printf(w, y, x + lw, 5, "%5s", p);
    if (lw + 7 < maxw) View_text(w, y, x + lw + 7, maxw - lw - 7, q, 1);
    if (lw + 18 < maxw) View_text(w, y, x + lw + 18, maxw - lw - 18, term, 1);
}

/* One table row: v, P[v], Q[v], the term -P[v] log Q[v] = P[v] x (-log Q[v]). */
static void term_row(WINDOW *w, int y, int x, int maxw, int lw, const char *label, const char *note, int p, double q) {
    char lab[VIEW_LABEL + 4];
    snprintf(lab, sizeof lab, "\"%s\"", label);
    int used = View_text(w, y, x, lw, lab, 1);
    if (note && used + 1 < lw) View_text(w, y, x + used + 1, lw - used - 1, note, 1);
    double nl = q > 0 ? -log(q) : INFINITY;
    char qs[24], term[48];
    snprintf(qs, sizeof qs, "%.4g", q);
    if (p) snprintf(term, sizeof term, "1 × %.3f = %.3f", nl, nl);
    else snprintf(term, sizeof term, "0 × %.3f = 0", nl);
    columns(w, y, x, maxw, lw, p ? "1" : "0", qs, term);
}

static void xent_draw(ViewCtx *c) {
    InspectCtx *ic = (InspectCtx *)c;
    WINDOW *w = c->win;
    View_clear(c);
    if (c->h < 1 || c->w < 20) return;
    const int x = c->x, W = c->w, bottom = c->y + c->h;
    const int t = c->pos;
    int y = c->y;
    const double logv = ic->V > 1 ? log((double)ic->V) : 0;
    char lab_c[VIEW_LABEL], lab_prev[VIEW_LABEL];
    snprintf(lab_c, sizeof lab_c, "%s", TokenTable_label(c->tok, c->b, t));
    snprintf(lab_prev, sizeof lab_prev, "%s", TokenTable_label(c->tok, c->b, t - 1));

    Crt_set(w, CA_TITLE);
    View_printf(w, y++, x, W, "cross-entropy at t=%d: how surprised was the model by \"%s\"?", t, lab_c);
    Crt_set(w, CA_NORMAL);
    if (t < 1 || !ic->prob || ic->prob[t] < 0) {
        Crt_set(w, CA_DIM);
        if (y < bottom)
            View_text(w, y, x, W, t < 1 ? "t=0 has no position before it: no prediction, no loss. Move right (→ or .) to a later token."
                                        : "computing...", 1);
        Crt_set(w, CA_NORMAL);
        return;
    }
    const double q = ic->prob[t], loss = ic->loss[t];
    const int tau1 = !(c->temperature > 0) || fabsf(c->temperature - 1) < 1e-4f;

    /* the lines below the table, in the order they are dropped when space is short */
    int want_mean = ic->n_loss > 0, want_tau = !tau1;
    int fixed = 1 /* Q,P */ + 1 /* H */ + 1 /* compare */;
    int room = bottom - y;
    if (room < fixed + 3) want_mean = 0;
    if (room < fixed + 4 + want_mean) want_tau = 0;
    int tail = 2 + want_mean + want_tau;   /* H line, compare line, [mean], [tau] */

    if (y < bottom) {
        Crt_set(w, CA_MATHS);
        View_printf(w, y++, x, W, "Q = softmax(logits at t=%d \"%s\");  P = one-hot(c), c = \"%s\" (id %d)", t - 1, lab_prev, lab_c, ic->c_id);
        Crt_set(w, CA_NORMAL);
    }

    /* the table: Q's best guesses, then c (a row of its own when not among them) */
    int lw = 12;
    for (int i = 0; i < c->n_topk; i++) {
        int tw = View_width(c->topk_label[i]) + 2 + (c->topk[i].id == ic->c_id ? 4 : 0);
        if (tw > lw) lw = tw;
    }
    if (View_width(lab_c) + 6 > lw) lw = View_width(lab_c) + 6;
    if (lw > 20) lw = 20;
    int table = bottom - y - tail;
    if (table >= 3) {
        Crt_set(w, CA_DIM);
        View_text(w, y, x, lw, "v", 0);
        columns(w, y++, x, W, lw, "P[v]", "Q[v]", "-P[v]·log Q[v]");
        Crt_set(w, CA_NORMAL);
        table--;
        int c_in = 0;
        for (int i = 0; i < c->n_topk; i++) if (c->topk[i].id == ic->c_id) c_in = 1;
        int rows = c->n_topk;
        int extra = (c_in ? 0 : 1) + 1;   /* c's row, the "... more" line */
        if (rows > table - extra) rows = table - extra;
        if (rows < 0) rows = 0;
        int shown_c = 0;
        for (int i = 0; i < rows; i++) {
            int is_c = c->topk[i].id == ic->c_id;
            Crt_set(w, is_c ? CA_CURRENT : CA_NORMAL);
            term_row(w, y++, x, W, lw, c->topk_label[i], is_c ? "= c" : NULL, is_c, c->topk[i].prob);
            shown_c |= is_c;
        }
        Crt_set(w, CA_DIM);
        if (y < bottom - tail) {
            char more[32];
            snprintf(more, sizeof more, "… %d more", ic->V - rows - (shown_c ? 0 : 1));
            View_text(w, y, x, lw, more, 1);
            columns(w, y++, x, W, lw, "0", "…", "0 × … = 0");
        }
        if (!shown_c && y < bottom - tail) {
            Crt_set(w, CA_CURRENT);
            term_row(w, y++, x, W, lw, lab_c, "= c", 1, q);
        }
        Crt_set(w, CA_NORMAL);
    }

    /* H(P,Q) reduces to one term */
    y = bottom - tail > y ? y : bottom - tail;
    if (y < c->y + 1) y = c->y + 1;
    Crt_set(w, CA_MATHS);
    if (y < bottom)
        View_printf(w, y++, x, W, "H(P,Q) = -Σ_v P[v]·log Q[v] = -log Q[c] = -log %.4g = %.3f nats", q, loss);
    Crt_set(w, CA_NORMAL);
    if (y < bottom)
        View_printf(w, y++, x, W, "c ranks %d of %d · uniform guess: log V = %.2f · certain: 0%s", ic->rank[t], ic->V, logv,
                    W >= 100 ? " · entropy H(Q) = " : "");
    if (W >= 100 && y - 1 < bottom) View_printf(w, y - 1, getcurx(w), x + W - getcurx(w), "%.3f nats", ic->entropy1);
    if (want_mean && y < bottom) {
        Crt_set(w, CA_DIM);
        View_printf(w, y++, x, W, "row loss = mean of %d such terms = %.3f nats; perplexity e^loss = %.4g", ic->n_loss, ic->mean_loss,
                    exp(ic->mean_loss));
        Crt_set(w, CA_NORMAL);
    }
    if (want_tau && y < bottom) {
        double lt = ic->q_c_temp > 0 ? -log(ic->q_c_temp) : INFINITY;
        Crt_set(w, CA_DIM);
        View_printf(w, y++, x, W, "at τ = %.2f (%s): Q[c] = %.4g, -log Q[c] = %.3f; the loss uses τ = 1", c->temperature,
                    c->temperature < 1 ? "sharper" : "flatter", ic->q_c_temp, lt);
        Crt_set(w, CA_NORMAL);
    }
}

const ViewClass View_xent = {"cross-entropy", xent_draw, NULL, NULL};
