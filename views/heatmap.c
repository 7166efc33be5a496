/* heatmap.c - a (T, X) matrix for one batch row: rows are positions (token text on the left),
 * columns the hidden axis (D, F, d...). Signed values use the diverging scale symmetric
 * around 0; probabilities the sequential one. Scrolls horizontally over X; when T does not
 * fit, two positions share a text row (half blocks '▀'), and past that the rows scroll.
 * The cursor cell (position pos, column col) is marked and its exact value printed. */
#include "views/view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void msg(ViewCtx *c, const char *s) {
    Crt_set(c->win, CA_DIM);
    View_text(c->win, c->y, c->x, c->w, s, 1);
    Crt_set(c->win, CA_NORMAL);
}

/* Colour-scale value of x: DIV -> x/amax in [-1,1]; SEQ -> (x-lo)/(hi-lo). */
static double norm_val(ScaleKind k, double x, double lo, double hi, double amax) {
    if (k == SCALE_DIV) return amax > 0 ? x / amax : 0;
    return hi > lo ? (x - lo) / (hi - lo) : 0;
}

static void heatmap_draw(ViewCtx *c) {
    WINDOW *w = c->win;
    View_clear(c);
    if (c->h < 1 || c->w < 8) return;
    Mat m;
    if (!c->has_tv || View_matrix(&c->tv, c->b, c->head, &m) != 0 || m.rows < 1 || m.cols < 1) {
        msg(c, "no numbers to show for this station");
        return;
    }
    const int zoom = c->zoom < 1 ? 1 : c->zoom;
    int rows = m.rows, cols = m.cols;
    int nvalid = c->tok ? c->tok->len[c->b] : rows;
    if (nvalid > rows) nvalid = rows;
    if (nvalid < 1) nvalid = 1;
    if (c->pos >= nvalid) c->pos = nvalid - 1;
    if (c->pos < 0) c->pos = 0;

    /* range over the real positions of this row */
    double lo = INFINITY, hi = -INFINITY;
    for (int r = 0; r < nvalid; r++)
        for (int j = 0; j < cols; j++) {
            double v = Mat_at(&m, r, j);
            if (!isfinite(v)) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
    if (!(lo <= hi)) { lo = 0; hi = 0; }
    double amax = fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi);
    ScaleKind k = c->scale;
    if (k == SCALE_SEQ && lo >= 0 && hi <= 1) lo = 0, hi = 1 > hi ? hi : 1;

    /* vertical layout: title, ticks, rows..., cursor line, legend line */
    int foot = c->h >= 6 ? 2 : c->h >= 4 ? 1 : 0;
    int head = c->h >= 3 ? 2 : 0;
    int avail_h = c->h - head - foot;
    if (avail_h < 1) { avail_h = 1; foot = 0; head = c->h > 1 ? 1 : 0; }
    int rh = 1, half = 0, nrows_vis = rows;
    if (rows <= avail_h / 2) {
        rh = avail_h / rows;                 /* taller rows when there is room */
        int cap = zoom == 1 ? 2 : 3 * zoom;
        if (rh > cap) rh = cap;
    } else if (rows <= avail_h) rh = 1;
    else if (rows <= 2 * avail_h && crt.mode != CRT_MONO) half = 1;
    else {
        nrows_vis = avail_h;
        if (c->pos < c->row0) c->row0 = c->pos;
        if (c->pos >= c->row0 + nrows_vis) c->row0 = c->pos - nrows_vis + 1;
    }
    if (nrows_vis == rows) c->row0 = 0;
    if (c->row0 > rows - nrows_vis) c->row0 = rows - nrows_vis;
    if (c->row0 < 0) c->row0 = 0;

    /* label column: "t label" */
    int lw = 4;
    for (int r = 0; r < rows; r++) {
        int tw = View_width(TokenTable_label(c->tok, c->b, r));
        if (half && r + 1 < rows) tw += 1 + View_width(TokenTable_label(c->tok, c->b, r + 1));
        if (tw > lw) lw = tw;
    }
    int lwmax = (half ? 14 : 10) + 4 * (zoom - 1);
    if (lw > lwmax) lw = lwmax;
    /* large print, rows 3 lines tall: the row labels (tokens) in the big font */
    int big_rows = 0;
    if (zoom >= 2 && !half && rh >= 3 && nrows_vis == rows && c->full_rows == 0) {   /* tokens, not a weight's rows */
        int bw = 0;
        for (int r = 0; r < rows; r++) {
            int tw = View_big_width(r < nvalid ? TokenTable_label(c->tok, c->b, r) : "pad");
            if (tw > bw) bw = tw;
        }
        if (bw <= c->w / 5) { big_rows = 1; if (bw > lw) lw = bw; }
    }
    int maxrow = c->row_base + rows;
    int iw = maxrow > 10000 ? 6 : maxrow > 1000 ? 5 : maxrow > 100 ? 4 : maxrow > 10 ? 3 : 2;   /* index digits + space */
    int LW = iw + lw + 1;
    int avail_w = c->w - LW;
    if (avail_w < 4) { LW = 0; avail_w = c->w; }

    int cw = avail_w / cols;
    int cwmax = cols <= 16 ? 8 * zoom : 3 * zoom;   /* few columns (a head's d): room for numbers */
    if (cw > cwmax) cw = cwmax;
    if (cw < zoom) cw = zoom;
    if (cw < 1) cw = 1;
    int nv = avail_w / cw;
    if (nv > cols) nv = cols;
    if (nv < 1) nv = 1;
    if (c->col >= cols) c->col = cols - 1;
    if (c->col < 0) c->col = 0;
    if (c->col < c->col0) c->col0 = c->col;
    if (c->col >= c->col0 + nv) c->col0 = c->col - nv + 1;
    if (c->col0 > cols - nv) c->col0 = cols - nv;
    if (c->col0 < 0) c->col0 = 0;

    char name[24];
    snprintf(name, sizeof name, "%s", c->tensor_name[0] ? c->tensor_name : "x");
    int y = c->y;
    if (head >= 1) {
        Crt_set(w, CA_TITLE);
        char head_s[32] = "";
        if (c->tv.ndim == 4) snprintf(head_s, sizeof head_s, ", head %d of %d", c->head, c->tv.dims[1]);
        int used = c->full_rows > 0
                       ? View_printf(w, y, c->x, c->w, "%s  rows %d..%d of %d x cols %d..%d of %d", name, c->row_base + c->row0,
                                     c->row_base + c->row0 + (half ? rows : nrows_vis) - 1, c->full_rows, c->col_base + c->col0,
                                     c->col_base + c->col0 + nv - 1, c->full_cols)
                       : View_printf(w, y, c->x, c->w, "%s[b=%d%s] rows t (T=%d) x cols %d..%d of %d%s%s", name, c->b, head_s, rows, c->col0,
                                     c->col0 + nv - 1, cols, c->which_name[0] ? "  " : "", c->which_name);
        Crt_set(w, CA_NORMAL);
        int lx = c->x + used + 2;
        if (c->x + c->w - lx >= 20) View_legend(w, y, lx, c->x + c->w - lx, k, k == SCALE_DIV ? -amax : lo, k == SCALE_DIV ? amax : hi);
        y++;
    }
    if (head >= 2) {
        /* column ticks every few columns */
        int step = cw >= 5 ? 1 : cw >= 3 ? 2 : cw == 2 ? 4 : 8;
        Crt_set(w, CA_DIM);
        for (int j = 0; j < nv; j++) {
            int col = c->col0 + j;
            if (col % step == 0 || col == c->col) {
                char b[12];
                snprintf(b, sizeof b, "%d", c->col_base + col);
                int xx = c->x + LW + j * cw;
                if (col == c->col) Crt_set(w, CA_CURSOR);
                if (xx + (int)strlen(b) <= c->x + c->w) View_text(w, y, xx, (int)strlen(b), b, 0);
                Crt_set(w, CA_DIM);
            }
        }
        Crt_set(w, CA_NORMAL);
        y++;
    }

    int rows_drawn = half ? (rows + 1) / 2 : nrows_vis;
    for (int i = 0; i < rows_drawn; i++) {
        int r0 = half ? 2 * i : c->row0 + i;
        int r1 = half ? 2 * i + 1 : -1;
        for (int sub = 0; sub < rh; sub++) {
            int yy = y + i * rh + sub;
            if (yy >= c->y + c->h - foot) break;
            if (LW > 0 && sub == (rh - 1) / 2) {
                int cur = (r0 == c->pos || r1 == c->pos);
                int pad = r0 >= nvalid;
                Crt_set(w, cur ? CA_CURSOR : pad ? CA_PAD : CA_DIM);
                View_printf(w, yy, c->x, iw, "%*d", iw - 1, c->row_base + (half && r1 == c->pos ? r1 : r0));
                Crt_set(w, pad ? CA_PAD : cur ? CA_TITLE : CA_NORMAL);
                char lab[2 * VIEW_LABEL + 4];
                if (c->full_rows > 0)   /* a weight's rows are numbers, not tokens */
                    lab[0] = 0;
                else if (half && r1 < rows)
                    snprintf(lab, sizeof lab, "%s/%s", r0 < nvalid ? TokenTable_label(c->tok, c->b, r0) : "pad",
                             r1 < nvalid ? TokenTable_label(c->tok, c->b, r1) : "pad");
                else
                    snprintf(lab, sizeof lab, "%s", pad ? "pad" : TokenTable_label(c->tok, c->b, r0));
                int top = y + i * rh;
                if (!big_rows || View_big(w, yy - 1 < top ? yy : yy - 1, c->x + iw, lw, lab) < 0) View_text(w, yy, c->x + iw, lw, lab, 1);
                Crt_set(w, CA_NORMAL);
            }
            for (int j = 0; j < nv; j++) {
                int col = c->col0 + j;
                int xx = c->x + LW + j * cw;
                if (xx + cw > c->x + c->w) break;
                if (half) {
                    double vt = norm_val(k, Mat_at(&m, r0, col), lo, hi, amax);
                    int hb = r1 < rows;
                    double vb = hb ? norm_val(k, Mat_at(&m, r1, col), lo, hi, amax) : 0;
                    if (r0 >= nvalid) vt = 0;
                    if (hb && r1 >= nvalid) vb = 0;
                    if (col == c->col && (r0 == c->pos || r1 == c->pos))   /* the cursor cell, on its own colour */
                        Crt_text_on(w, yy, xx, cw, k, r0 == c->pos ? vt : vb, cw >= 2 ? "[]" : "*");
                    else
                        Crt_half(w, yy, xx, cw, k, vt, vb, hb);
                    continue;
                }
                if (r0 >= nvalid) {
                    Crt_set(w, CA_PAD);
                    for (int q = 0; q < cw; q++) mvwaddch(w, yy, xx + q, '.');
                    Crt_set(w, CA_NORMAL);
                    continue;
                }
                double v = Mat_at(&m, r0, col);
                double nvv = norm_val(k, v, lo, hi, amax);
                if (r0 == c->pos && col == c->col && sub == (rh - 1) / 2) {
                    char b[16], t[24];
                    View_num(b, sizeof b, v, cw - 3);
                    snprintf(t, sizeof t, "[%s]", b);
                    Crt_text_on(w, yy, xx, cw, k, nvv, cw >= 6 ? t : cw >= 2 ? "[]" : "*");
                }
                else if (cw >= 6 && sub == (rh - 1) / 2) {
                    char b[16];
                    View_num(b, sizeof b, v, cw - 1);
                    Crt_text_on(w, yy, xx, cw, k, nvv, b);
                } else
                    Crt_fill(w, yy, xx, cw, k, nvv);
            }
        }
    }

    /* cursor's exact value and the legend for mono */
    int fy = c->y + c->h - foot;
    if (foot >= 1) {
        int r = c->pos, col = c->col;
        double v = Mat_at(&m, r, col);
        /* the cursor row's own norm, min and max (the colour scale spans all rows) */
        double ss = 0, rlo = INFINITY, rhi = -INFINITY;
        for (int j = 0; j < cols; j++) {
            double x = Mat_at(&m, r, j);
            ss += x * x;
            if (x < rlo) rlo = x;
            if (x > rhi) rhi = x;
        }
        Crt_set(w, CA_CURSOR);
        /* a 4-D tensor (B,h,T,d) is indexed [b,head,t,col], as the attention view does */
        if (c->full_rows > 0) {   /* a weight: its place in the whole matrix, nothing about tokens */
            Crt_set(w, CA_CURSOR);
            int u = View_printf(w, fy, c->x, c->w, "%s[%d,%d] = %.6g", name, c->row_base + r, c->col_base + col, v);
            Crt_set(w, CA_NORMAL);
            if (c->which_name[0]) View_printf(w, fy, c->x + u, c->w - u, "   %s", c->which_name);
        } else {
            int used = c->tv.ndim == 4 ? View_printf(w, fy, c->x, c->w, "%s[%d,%d,%d,%d] = %.6g", name, c->b, c->head, r, col, v)
                                       : View_printf(w, fy, c->x, c->w, "%s[%d,%d,%d] = %.6g", name, c->b, r, col, v);
            Crt_set(w, CA_NORMAL);
            /* as much of it as fits whole: the position, the row's norm, its min and max */
            char at[VIEW_LABEL + 32], nrm[64], mm[64];
            snprintf(at, sizeof at, "  at t=%d \"%s\"", r, TokenTable_label(c->tok, c->b, r));
            snprintf(nrm, sizeof nrm, "   row norm |%s[t]| = %.4g", name, sqrt(ss));
            snprintf(mm, sizeof mm, "   row min %.4g max %.4g", rlo, rhi);
            const char *parts[3] = {at, nrm, mm};
            int x = c->x + used;
            for (int i = 0; i < 3; i++) {
                int pw = View_width(parts[i]);
                if (x + pw > c->x + c->w) break;
                x += View_text(w, fy, x, pw, parts[i], 0);
            }
        }
    }
    if (foot >= 2) {
        Crt_set(w, CA_DIM);
        const char *legend = crt.mode == CRT_MONO ? (k == SCALE_DIV ? "shade = |value|, underlined/- = negative." : "shade = value.") :
                             (k == SCALE_DIV ? "blue < 0 < orange." : "dark = low, bright = high.");
        char line[256];
        snprintf(line, sizeof line, "%s  < > move the cursor over columns, PgUp/PgDn by a page, Home/End;  , . (Tab) move over positions", legend);
        if (c->full_rows > 0) snprintf(line, sizeof line, "%s  < > column  PgUp PgDn page  Home End  , . Tab row", legend);
        else if (View_width(line) > c->w) snprintf(line, sizeof line, "%s  < > column  PgUp PgDn page  Home End  , . position", legend);
        View_text(w, fy + 1, c->x, c->w, line, 1);
        Crt_set(w, CA_NORMAL);
    }
}

static int heatmap_key(ViewCtx *c, int ch) {
    switch (ch) {
    case '<': case KEY_SLEFT: c->col--; return 1;
    case '>': case KEY_SRIGHT: c->col++; return 1;
    case KEY_NPAGE: c->col += 16; return 1;
    case KEY_PPAGE: c->col -= 16; if (c->col < 0) c->col = 0; return 1;
    case KEY_HOME: c->col = 0; return 1;
    case KEY_END: c->col = 1 << 30; return 1;
    }
    return 0;
}

static const char *const heatmap_help[] = {
    "< >  Shift-←/→   move the cursor over the columns (D, F or d)",
    "PgUp PgDn Home End   scroll the columns by a page / to an end",
    NULL,
};

const ViewClass View_heatmap = {"matrix heatmap", heatmap_draw, heatmap_key, heatmap_help};
