/* surprise_chips.c - View_surprise, the token surprise chips: the row's tokens as chips coloured by the probability the
 * model gave each one from the position before, with the loss -log p (nats) underneath;
 * the row's mean loss and perplexity, and the uniform guesser's log V beside them.
 *
 * Colour is log p on a scale from log(1/V) (a uniform guess over the vocabulary: dark) to
 * 0 (certain: bright), so a random model's 1e-8 and a trained model's 0.9 both read. */
#include "views/inspect_views.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double View_surprise_level(double prob, int V) {
    if (!(prob > 0) || V < 2) return 0;
    double v = 1 + log(prob) / log((double)V);
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static void loss_text(const InspectCtx *ic, int t, char *buf, size_t cap) {
    if (t <= 0 || !ic->prob || ic->prob[t] < 0) snprintf(buf, cap, "-");
    else if (ic->loss[t] < 9.995f) snprintf(buf, cap, "%.2f", ic->loss[t]);
    else snprintf(buf, cap, "%.1f", ic->loss[t]);
}

/* Chip t's width: its label or its loss, whichever is wider, at most maxw. */
static int chip_width(const InspectCtx *ic, int t, int maxw) {
    char ls[16];
    loss_text(ic, t, ls, sizeof ls);
    int cw = View_width(TokenTable_label(ic->vc.tok, ic->vc.b, t));
    int lw = (int)strlen(ls);
    if (lw > cw) cw = lw;
    if (cw > maxw) cw = maxw;
    return cw < 1 ? 1 : cw;
}

/* Lay the chips out in rows of width w: row_of[t] (NULL: not stored); returns the rows. */
static int layout(const InspectCtx *ic, int w, int *row_of, int *x_of) {
    int x = 0, row = 0, gap = ic->vc.zoom > 1 ? 2 : 1;
    for (int t = 0; t < ic->len; t++) {
        int cw = chip_width(ic, t, w);
        if (x > 0 && x + cw > w) { row++; x = 0; }
        if (row_of) row_of[t] = row;
        if (x_of) x_of[t] = x;
        x += cw + gap;
    }
    return ic->len > 0 ? row + 1 : 0;
}

#define HEAD_LINES 2   /* mean loss; uniform guess */
#define FOOT_LINES 2   /* legend; the selected token */

int View_surprise_lines(const InspectCtx *ic, int w) {
    if (ic->compact) return 1 + 2 * layout(ic, w - 1, NULL, NULL);
    return HEAD_LINES + 2 * layout(ic, w - 1, NULL, NULL) + FOOT_LINES;
}

/* mono: bold when likely, dim when no better than uniform */
static void chip_attr(WINDOW *w, double v, int sel) {
    if (sel) { Crt_on(w, CA_CURSOR, A_UNDERLINE); return; }
    if (crt.mode == CRT_MONO) {
        attr_t at = v > 0.6 ? A_BOLD : v < 0.15 ? A_DIM : A_NORMAL;
        wattr_set(w, at, 0, &(int){0});
        return;
    }
    int pair = Crt_pair(Crt_text_fg(SCALE_SEQ, v), Crt_scale_color(SCALE_SEQ, v));
    wattr_set(w, A_NORMAL, 0, &pair);
}

static void chips_draw(ViewCtx *c) {
    InspectCtx *ic = (InspectCtx *)c;
    WINDOW *w = c->win;
    View_clear(c);
    if (c->h < 1 || c->w < 20) return;
    const int bottom = c->y + c->h;
    int y = c->y;
    const double logv = ic->V > 1 ? log((double)ic->V) : 0;

    /* the row's loss and the uniform guesser's */
    Crt_set(w, ic->compact ? CA_DIM : CA_TITLE);
    if (ic->compact) {
        if (ic->n_loss > 0)
            View_printf(w, y, c->x, c->w, "row b=%d: mean loss %.3f nats over %d · perplexity %.4g   (b B chooses the row)", c->b, ic->mean_loss, ic->n_loss,
                        exp(ic->mean_loss));
        else
            View_printf(w, y, c->x, c->w, "row b=%d: one token, nothing predicted", c->b);
    } else if (ic->n_loss > 0) {
        char ppl[32];
        double pp = exp(ic->mean_loss);
        snprintf(ppl, sizeof ppl, "%.4g", pp);
        if (ic->len > ic->prompt_len)   /* generated tokens are the model's own picks: not in the mean */
            View_printf(w, y, c->x, c->w, "mean loss %.3f nats over the prompt's %d · perplexity e^loss = %s", ic->mean_loss, ic->n_loss, ppl);
        else
            View_printf(w, y, c->x, c->w, "mean loss %.3f nats over %d prediction%s · perplexity e^loss = %s", ic->mean_loss, ic->n_loss,
                        ic->n_loss == 1 ? "" : "s", ppl);
    } else {
        View_printf(w, y, c->x, c->w, "only one token: nothing was predicted yet (a loss needs two)");
    }
    y++;
    if (y < bottom && !ic->compact) {
        Crt_set(w, CA_DIM);
        View_printf(w, y++, c->x, c->w, "sanity: uniform guessing over V=%d scores log V = %.2f%s", ic->V, logv,
                    ic->n_loss > 0 && ic->mean_loss > logv ? " (this row: worse!)" : ic->n_loss > 0 ? " (this row: better)" : "");
    }
    Crt_set(w, CA_NORMAL);

    /* chips: label on top, -log p below; scrolled so the selected one shows */
    int foot = ic->compact ? 0 : c->h >= HEAD_LINES + 2 + FOOT_LINES ? FOOT_LINES : c->h >= HEAD_LINES + 3 ? 1 : 0;
    int avail_rows = (bottom - foot - y) / 2;
    int row_of[ic->len > 0 ? ic->len : 1], x_of[ic->len > 0 ? ic->len : 1];
    const int cw_max = c->w - 1;
    int rows = layout(ic, cw_max, row_of, x_of);
    int sel = !ic->compact && c->pos >= 0 && c->pos < ic->len ? c->pos : -1;
    int first = 0;
    if (sel >= 0 && avail_rows > 0 && row_of[sel] >= avail_rows) first = row_of[sel] - avail_rows + 1;
    for (int t = 0; t < ic->len && avail_rows > 0; t++) {
        int r = row_of[t] - first;
        if (r < 0) continue;
        if (r >= avail_rows) break;
        int yy = y + 2 * r, xx = c->x + x_of[t];
        int cw = chip_width(ic, t, cw_max);
        int has = t > 0 && ic->prob && ic->prob[t] >= 0;
        double v = has ? View_surprise_level(ic->prob[t], ic->V) : 0;
        if (has) chip_attr(w, v, t == sel);
        else if (t == sel) Crt_on(w, CA_CURSOR, A_UNDERLINE);
        else Crt_set(w, CA_PAD);
        for (int q = 0; q < cw; q++) mvwaddch(w, yy, xx + q, ' ');
        View_text(w, yy, xx, cw, TokenTable_label(c->tok, c->b, t), 1);
        char ls[16];
        loss_text(ic, t, ls, sizeof ls);
        int gen = t >= ic->prompt_len;
        Crt_on(w, t == sel ? CA_TITLE : gen ? CA_SHAPECHANGE : CA_DIM, t == sel ? A_UNDERLINE : A_NORMAL);
        View_text(w, yy + 1, xx, cw, ls, 0);
        Crt_set(w, CA_NORMAL);
    }
    if (first > 0 || first + avail_rows < rows) {
        Crt_set(w, CA_DIM);
        if (first > 0) View_text(w, y, c->x + c->w - 1, 1, "↑", 0);
        if (first + avail_rows < rows && avail_rows > 0) View_text(w, y + 2 * avail_rows - 1, c->x + c->w - 1, 1, "↓", 0);
        Crt_set(w, CA_NORMAL);
    }
    if (foot < 1) return;

    /* legend */
    int fy = bottom - foot;
    Crt_set(w, CA_DIM);
    int x = c->x + View_text(w, fy, c->x, c->w, "colour: p (log scale) 1/V ", 0);
    for (int i = 0; i < 12 && x < c->x + c->w; i++, x++) Crt_fill(w, fy, x, 1, SCALE_SEQ, i / 11.0);
    Crt_set(w, CA_DIM);
    View_text(w, fy, x, c->x + c->w - x, " 1 · below: -log p in nats (0 = certain)", 1);
    Crt_set(w, CA_NORMAL);
    if (foot < 2) return;

    /* the selected token */
    fy++;
    if (sel < 0) return;
    char lab[VIEW_LABEL + 2];
    snprintf(lab, sizeof lab, "\"%s\"", TokenTable_label(c->tok, c->b, sel));
    int id = c->tok && c->tok->ids ? c->tok->ids[c->b * c->tok->stride + sel] : -1;
    if (sel == 0) {
        Crt_set(w, CA_TITLE);
        View_printf(w, fy, c->x, c->w, "t=0 %s (id %d): the first token; nothing before it predicted it", lab, id);
    } else if (ic->prob && ic->prob[sel] >= 0) {
        Crt_set(w, CA_TITLE);
        int used = View_printf(w, fy, c->x, c->w, "t=%d %s (id %d): p = %.4g  -log p = %.3f nats  rank %d of %d", sel, lab, id, ic->prob[sel],
                               ic->loss[sel], ic->rank[sel], ic->V);
        Crt_set(w, CA_DIM);
        if (used + 4 < c->w)
            View_printf(w, fy, c->x + used, c->w - used, " · %s", ic->rank[sel] == 1 ? "top guess" : "it preferred others: below");
    } else {
        Crt_set(w, CA_DIM);
        View_printf(w, fy, c->x, c->w, "t=%d %s: computing...", sel, lab);
    }
    Crt_set(w, CA_NORMAL);
}

const ViewClass View_surprise = {"token surprise", chips_draw, NULL, NULL};
