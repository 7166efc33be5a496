/* attention.c - (T,T) attention for one layer, batch row and head: query positions down
 * the side, key positions across the top, token text on both axes. Cell (i,j) is how much
 * query i looks at key j. Above the diagonal (j > i) the causal mask applies: shown as -inf
 * (scores after the mask) or 0 (probabilities), drawn visibly masked. With all_heads set: a
 * grid of every head of the layer as small maps (two query rows per text row, '▀'). */
#include "views/view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static double norm_v(const ViewCtx *c, double v, double amax) {
    if (c->scale == SCALE_SEQ) return v;
    return amax > 0 ? v / amax : 0;
}

/* range of the values that are shown as numbers (lower triangle of real positions) */
static double abs_max(const ViewCtx *c, int h0, int h1, int nvalid) {
    double amax = 0;
    for (int hh = h0; hh < h1; hh++) {
        Mat m;
        if (View_matrix(&c->tv, c->b, hh, &m) != 0) continue;
        for (int i = 0; i < nvalid && i < m.rows; i++)
            for (int j = 0; j < nvalid && j < m.cols; j++) {
                if (c->mask && j > i) continue;
                double v = fabs(Mat_at(&m, i, j));
                if (isfinite(v) && v > amax) amax = v;
            }
    }
    return amax;
}

/* One cell of a pooled map: the block of queries [i0,i1) x keys [j0,j1). Probabilities
 * keep the block's largest weight, signed values the one largest in size, so a sharp
 * attention still shows. The mask and padding count only when they cover the whole block. */
static double pooled(const ViewCtx *c, const Mat *m, int i0, int i1, int j0, int j1, int nvalid, double amax) {
    if (i0 >= nvalid || j0 >= nvalid) return c->scale == SCALE_SEQ ? 0 : 0;
    if (c->mask && j0 > i1 - 1) return c->mask == 1 ? -1 : 0;
    double best = 0, bestabs = -1;
    for (int i = i0; i < i1 && i < nvalid; i++)
        for (int j = j0; j < j1 && j < nvalid; j++) {
            if (c->mask && j > i) continue;
            double v = Mat_at(m, i, j);
            double av = v < 0 ? -v : v;
            if (av > bestabs) { bestabs = av; best = v; }
        }
    return norm_v(c, best, amax);
}

static void draw_grid(ViewCtx *c, int nvalid, int nheads) {
    WINDOW *w = c->win;
    int T = c->tv.dims[2];
    double amax = c->scale == SCALE_DIV ? abs_max(c, 0, nheads, nvalid) : 1;
    /* The biggest maps for which every head fits: cell width cw, full or half-height rows,
     * and past that `pool` positions per cell (long prompts). */
    int avail_h = c->h - 2;
    int mono = crt.mode == CRT_MONO;
    int cw = 1, half = !mono, pool = 1, Tv = T;
    int found = 0;
    for (pool = 1; pool <= T && !found; pool = pool < 2 ? 2 : pool * 3 / 2 + 1) {
        Tv = (T + pool - 1) / pool;
        for (int try_cw = pool == 1 ? 8 : 1; try_cw >= 1 && !found; try_cw--)
            for (int try_half = 0; try_half <= !mono && !found; try_half++) {
                int th = try_half ? (Tv + 1) / 2 : Tv;
                int tw = Tv * try_cw < 4 ? 4 : Tv * try_cw;
                int pr = (c->w + 2) / (tw + 2);
                if (pr < 1) continue;
                int gr = (nheads + pr - 1) / pr;
                if (gr * (th + 1) <= avail_h) { cw = try_cw; half = try_half; found = 1; }
            }
        if (found) break;
    }
    if (!found) { pool = T; Tv = 1; cw = 1; half = 0; }
    int mh = half ? (Tv + 1) / 2 : Tv;
    int mw = Tv * cw < 4 ? 4 : Tv * cw;
    int top = c->y + 1;
    int foot = 1;
    int per_row = (c->w + 2) / (mw + 2);
    if (per_row < 1) per_row = 1;
    int grid_rows = (c->h - 1 - foot) / (mh + 1);
    if (grid_rows < 1) grid_rows = 1;
    int shown = 0;
    Crt_set(w, CA_TITLE);
    if (pool > 1)
        View_printf(w, c->y, c->x, c->w, "all %d heads of layer %d, row b=%d: %d positions per cell (the largest shown)", nheads,
                    c->layer + 1, c->b, pool);
    else
        View_printf(w, c->y, c->x, c->w, "all %d heads of layer %d, row b=%d (each map: query t down, key t across; %s)", nheads,
                    c->layer + 1, c->b, c->scale == SCALE_SEQ ? "bright = attends" : "blue < 0 < orange");
    Crt_set(w, CA_NORMAL);
    for (int hh = 0; hh < nheads; hh++) {
        int gr = hh / per_row, gc = hh % per_row;
        if (gr >= grid_rows) break;
        int x0 = c->x + gc * (mw + 2);
        int y0 = top + gr * (mh + 1);
        if (y0 + 1 >= c->y + c->h - foot && gr > 0) break;
        if (x0 + Tv * cw > c->x + c->w) break;
        Crt_set(w, hh == c->head ? CA_CURSOR : CA_DIM);
        View_printf(w, y0, x0, mw, "h%d", hh);
        Crt_set(w, CA_NORMAL);
        Mat m;
        if (View_matrix(&c->tv, c->b, hh, &m) != 0) continue;
        for (int r = 0; r < mh; r++) {
            int yy = y0 + 1 + r;
            if (yy >= c->y + c->h - foot) break;
            for (int jv = 0; jv < Tv; jv++) {
                int xx = x0 + jv * cw;
                int j0 = jv * pool, j1 = j0 + pool > T ? T : j0 + pool;
                int iv0 = half ? 2 * r : r, iv1 = 2 * r + 1;
                int a0 = iv0 * pool, a1 = a0 + pool > T ? T : a0 + pool;
                double vt = pooled(c, &m, a0, a1, j0, j1, nvalid, amax);
                if (half) {
                    int hb = iv1 < Tv;
                    int b0 = iv1 * pool, b1 = b0 + pool > T ? T : b0 + pool;
                    double vb = hb ? pooled(c, &m, b0, b1, j0, j1, nvalid, amax) : 0;
                    Crt_half(w, yy, xx, cw, c->scale, vt, vb, hb);
                } else {
                    Crt_fill(w, yy, xx, cw, c->scale, vt);
                }
            }
        }
        shown++;
    }
    Crt_set(w, CA_DIM);
    if (shown < nheads)
        View_printf(w, c->y + c->h - 1, c->x, c->w, "showing %d of %d heads (enlarge the terminal or leave large mode); { } head, a: one head",
                    shown, nheads);
    else
        View_printf(w, c->y + c->h - 1, c->x, c->w, "{ } choose the head (highlighted), a: show it alone with numbers");
    Crt_set(w, CA_NORMAL);
}

static void attention_draw(ViewCtx *c) {
    WINDOW *w = c->win;
    View_clear(c);
    if (c->h < 1 || c->w < 8) return;
    Mat m;
    if (!c->has_tv || c->tv.ndim != 4) {
        Crt_set(w, CA_DIM);
        View_text(w, c->y, c->x, c->w, "no attention numbers for this station", 1);
        Crt_set(w, CA_NORMAL);
        return;
    }
    int nheads = c->tv.dims[1];
    if (c->head >= nheads) c->head = nheads - 1;
    if (c->head < 0) c->head = 0;
    if (View_matrix(&c->tv, c->b, c->head, &m) != 0) return;
    int T = m.rows;
    int nvalid = c->tok ? c->tok->len[c->b] : T;
    if (nvalid > T) nvalid = T;
    if (nvalid < 1) nvalid = 1;
    if (c->pos >= nvalid) c->pos = nvalid - 1;
    if (c->pos < 0) c->pos = 0;
    if (c->all_heads) { draw_grid(c, nvalid, nheads); return; }

    const int zoom = c->zoom < 1 ? 1 : c->zoom;
    double amax = c->scale == SCALE_DIV ? abs_max(c, c->head, c->head + 1, nvalid) : 1;
    const char *nm = c->tensor_name[0] ? c->tensor_name : "A";

    int lw = 4;
    for (int r = 0; r < T; r++) {
        int tw = View_width(TokenTable_label(c->tok, c->b, r));
        if (tw > lw) lw = tw;
    }
    if (lw > 8 + 4 * (zoom - 1)) lw = 8 + 4 * (zoom - 1);
    int iw = T > 100 ? 4 : T > 10 ? 3 : 2;
    /* large print with few positions: the labels in the big font when rows are 3 lines tall
     * (decided below, once the row height is known) */
    int big_lw = 0;
    if (zoom >= 2 && c->h - 6 >= 3 * nvalid) {
        for (int r = 0; r < nvalid; r++) {
            int tw = View_big_width(TokenTable_label(c->tok, c->b, r));
            if (tw > big_lw) big_lw = tw;
        }
        if (big_lw > c->w / 5) big_lw = c->w / 5;
        /* only when the cells stay wide enough for rows 3 lines tall (cells are about as tall
         * as wide: 12 columns a cell) */
        if ((c->w - iw - (big_lw > lw ? big_lw : lw) - 1) / T < 12) big_lw = 0;
        else if (big_lw > lw) lw = big_lw;
        else big_lw = lw;
    }
    int LW = iw + lw + 1;
    int avail_w = c->w - LW;
    int cw = avail_w / T;
    if (cw > 12 * zoom) cw = 12 * zoom;
    if (cw < 1) cw = 1;
    if (cw < zoom && avail_w / zoom >= 1) cw = zoom;
    int nv = avail_w / cw;
    if (nv > T) nv = T;
    if (nv < 1) nv = 1;
    int head = 2, foot = c->h >= 8 ? 2 : c->h >= 5 ? 1 : 0;
    int big_head = big_lw > 0 && cw >= 8;   /* key labels big across the top: 3 lines more */
    if (big_head) head += 3;
    int avail_h = c->h - head - foot;
    if (avail_h < 1) { head = 1; foot = 0; avail_h = c->h - 1; big_head = 0; }
    if (avail_h < 1) return;
    int rh = avail_h / T;
    int rhmax = cw / 4 > zoom ? cw / 4 : zoom;   /* cells about as tall as wide (chars are 1:2) */
    if (rh > rhmax) rh = rhmax;
    if (rh > 3 * zoom) rh = 3 * zoom;
    if (rh < 1) rh = 1;
    int nr = avail_h / rh;
    if (nr > T) nr = T;
    int big_rows = big_lw > 0 && rh >= 3;

    if (c->col >= T) c->col = T - 1;
    if (c->col < 0) c->col = 0;
    if (c->col < c->col0) c->col0 = c->col;
    if (c->col >= c->col0 + nv) c->col0 = c->col - nv + 1;
    if (c->col0 > T - nv) c->col0 = T - nv;
    if (c->col0 < 0) c->col0 = 0;
    if (c->pos < c->row0) c->row0 = c->pos;
    if (c->pos >= c->row0 + nr) c->row0 = c->pos - nr + 1;
    if (c->row0 > T - nr) c->row0 = T - nr;
    if (c->row0 < 0) c->row0 = 0;

    Crt_set(w, CA_TITLE);
    int used = View_printf(w, c->y, c->x, c->w, "%s[b=%d, head %d of %d] query t (down) x key t (across)  %s", nm, c->b, c->head,
                           nheads, c->mask ? "masked: j > i" : "before the mask");
    Crt_set(w, CA_NORMAL);
    int lx = c->x + used + 2;
    if (c->x + c->w - lx >= 20)
        View_legend(w, c->y, lx, c->x + c->w - lx, c->scale, c->scale == SCALE_DIV ? -amax : 0, c->scale == SCALE_DIV ? amax : 1);

    /* key labels across the top */
    if (head >= 2) {
        int y = c->y + 1;
        for (int jj = 0; jj < nv; jj++) {
            int j = c->col0 + jj;
            int xx = c->x + LW + jj * cw;
            Crt_set(w, j == c->col ? CA_CURSOR : j >= nvalid ? CA_PAD : CA_DIM);
            const char *lab = j >= nvalid ? "pad" : TokenTable_label(c->tok, c->b, j);
            int lw2 = View_width(lab);
            int off = cw >= 5 && lw2 < cw - 1 ? (cw - lw2) / 2 : 0;
            if (big_head) {
                /* large print: the key's token big when it fits the column, else its index */
                char num[12];
                snprintf(num, sizeof num, "%d", j);
                const char *bl = View_big_width(lab) <= cw - 1 ? lab : num;
                int bw = View_big_width(bl);
                if (View_big(w, y, xx + (cw - 1 - bw) / 2, cw - 1, bl) < 0) View_text(w, y + 1, xx, cw - 1, lab, 1);
                if (bl == num) View_text(w, y + 3, xx + off, cw - 1 - off, lab, 1);
            } else if (cw >= 3) View_text(w, y, xx + off, cw - 1 - off, lab, 1);
            else View_printf(w, y, xx, cw, "%d", j % 10);
        }
        Crt_set(w, CA_NORMAL);
    }
    int y0 = c->y + head;
    for (int ii = 0; ii < nr; ii++) {
        int i = c->row0 + ii;
        for (int sub = 0; sub < rh; sub++) {
            int yy = y0 + ii * rh + sub;
            int mid = sub == (rh - 1) / 2;
            if (mid) {
                Crt_set(w, i == c->pos ? CA_CURSOR : i >= nvalid ? CA_PAD : CA_DIM);
                View_printf(w, yy, c->x, iw, "%*d", iw - 1, i);
                Crt_set(w, i >= nvalid ? CA_PAD : i == c->pos ? CA_TITLE : CA_NORMAL);
                const char *lab = i >= nvalid ? "pad" : TokenTable_label(c->tok, c->b, i);
                /* large print: the query's token big over the row's 3 lines around the middle */
                if (!big_rows || View_big(w, yy - 1 < y0 + ii * rh ? yy : yy - 1, c->x + iw, lw, lab) < 0) View_text(w, yy, c->x + iw, lw, lab, 1);
                Crt_set(w, CA_NORMAL);
            }
            for (int jj = 0; jj < nv; jj++) {
                int j = c->col0 + jj;
                int xx = c->x + LW + jj * cw;
                if (i >= nvalid || j >= nvalid) {
                    Crt_set(w, CA_PAD);
                    for (int q = 0; q < cw; q++) mvwaddch(w, yy, xx + q, (q == cw / 2 && mid) ? '.' : ' ');
                    continue;
                }
                if (c->mask && j > i) {
                    Crt_set(w, CA_MASK);
                    for (int q = 0; q < cw; q++) mvwaddch(w, yy, xx + q, ' ');
                    if (mid) {
                        const char *t = c->mask == 1 ? (cw >= 4 ? "-inf" : "x") : (cw >= 3 ? "0" : "x");
                        if (i == c->pos && j == c->col) Crt_set(w, CA_CURSOR);
                        View_text(w, yy, xx + (cw - (int)strlen(t)) / 2, cw, t, 0);
                    }
                    Crt_set(w, CA_NORMAL);
                    continue;
                }
                double v = Mat_at(&m, i, j);
                double nvv = norm_v(c, v, amax);
                if (mid && cw >= 5) {
                    /* the number, centred; the cursor cell in brackets */
                    int cur = i == c->pos && j == c->col;
                    char b[16], t[64];
                    View_num(b, sizeof b, v, (cw > 8 ? 8 : cw) - (cur ? 2 : 1));
                    int len = (int)strlen(b) + (cur ? 2 : 0);
                    int padl = (cw - len) / 2;
                    if (padl < 0) padl = 0;
                    snprintf(t, sizeof t, "%*s%s%s%s", padl, "", cur ? "[" : "", b, cur ? "]" : "");
                    Crt_text_on(w, yy, xx, cw, c->scale, nvv, t);
                } else if (mid && i == c->pos && j == c->col) {
                    Crt_text_on(w, yy, xx, cw, c->scale, nvv, cw >= 2 ? "[]" : "*");
                } else {
                    Crt_fill(w, yy, xx, cw, c->scale, nvv);
                }
            }
            Crt_set(w, CA_NORMAL);
        }
    }
    int fy = c->y + c->h - foot;
    if (foot >= 1) {
        int i = c->pos, j = c->col;
        double v = Mat_at(&m, i, j);
        double rs = 0;
        for (int q = 0; q < nvalid; q++) rs += (c->mask && q > i) ? 0 : Mat_at(&m, i, q);
        char val[32];
        if (c->mask == 1 && j > i) snprintf(val, sizeof val, "-inf (masked)");
        else snprintf(val, sizeof val, "%.6g", v);
        Crt_set(w, CA_CURSOR);
        used = View_printf(w, fy, c->x, c->w, "%s[%d,%d,%d,%d] = %s", nm, c->b, c->head, i, j, val);
        Crt_set(w, CA_NORMAL);
        if (c->scale == SCALE_SEQ)
            View_printf(w, fy, c->x + used, c->w - used, "  query \"%s\" -> key \"%s\"   row sum = %.4f",
                        TokenTable_label(c->tok, c->b, i), TokenTable_label(c->tok, c->b, j), rs);
        else
            View_printf(w, fy, c->x + used, c->w - used, "  query \"%s\" . key \"%s\" / sqrt(d)",
                        TokenTable_label(c->tok, c->b, i), TokenTable_label(c->tok, c->b, j));
    }
    if (foot >= 2) {
        Crt_set(w, CA_DIM);
        const char *items[] = {c->mask == 1 ? "-inf: a later token, masked (exp(-inf) = 0)." : c->mask == 2 ? "0: masked, a token cannot look ahead." :
                               "every pair is scored; the mask comes next.",
                               ", . query row", "< > key column", "{ } head", "a: all heads"};
        View_items(w, fy + 1, c->x, c->w, items, 5);
        Crt_set(w, CA_NORMAL);
    }
}

static int attention_key(ViewCtx *c, int ch) {
    switch (ch) {
    case '<': case KEY_SLEFT: if (c->col > 0) c->col--; return 1;
    case '>': case KEY_SRIGHT: c->col++; return 1;
    case KEY_NPAGE: c->col += 16; return 1;   /* the draw clamps to the last key */
    case KEY_PPAGE: c->col = c->col > 16 ? c->col - 16 : 0; return 1;
    case KEY_HOME: c->col = 0; return 1;
    case KEY_END: c->col = 1 << 30; return 1;
    }
    return 0;
}

static const char *const attention_help[] = {
    "< >  Shift-←/→   move the cursor over the key positions (columns)",
    "PgUp PgDn Home End   by 16 key positions / to the first or last",
    "a    all heads of the layer as a grid / one head with numbers",
    "v    in the walk: attention on the text (the query's weights on the tokens)",
    NULL,
};

const ViewClass View_attention = {"attention", attention_draw, attention_key, attention_help};
